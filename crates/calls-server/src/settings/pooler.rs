//! `database.pooler` (`DATABASE_POOLER`): what sits between the server and PostgreSQL.

use serde::Deserialize;

/// The connection pooler in front of PostgreSQL, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolerMode {
    /// PostgreSQL directly: the behaviour of a deployment that does not set the setting.
    #[default]
    None,
    /// A pooler that gives each client connection one server connection for as long as it
    /// stays open (PgBouncer `pool_mode = session`): to the server this is PostgreSQL
    /// directly, so nothing changes; it saves server connections only while pooled connections
    /// sit unused.
    Session,
    /// A pooler that hands out a server connection per transaction (PgBouncer
    /// `pool_mode = transaction`, any version): statements are sent unnamed (no prepared
    /// statement cache), and migrations run only through `database.migration_url`.
    Transaction,
}

impl PoolerMode {
    /// Whether consecutive transactions of one connection may run on different server
    /// sessions, so nothing may outlive a transaction (named statements, session locks).
    pub fn shares_sessions(self) -> bool {
        matches!(self, Self::Transaction)
    }
}
