//! The adapter: one cloneable handle implementing every storage port.

use std::fmt;

use calls_storage_diesel::{Blocking, PoolOptions};
use diesel::PgConnection;

use crate::pool::{self, ConnectError};
use crate::statements::PreparedStatements;

/// PostgreSQL storage. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct PostgresStorage {
    pub(crate) db: Blocking<PgConnection>,
}

impl PostgresStorage {
    /// Opens a pool to `url` (`postgres://user:password@host:port/database?sslmode=...`) and
    /// checks that the server answers. Blocks for at most about `options.connection_timeout`,
    /// so call it before serving or from a blocking context.
    ///
    /// Errors: [`ConnectError::InvalidOptions`], or [`ConnectError::Unreachable`] when no
    /// connection could be opened in time.
    pub fn connect(url: &str, options: PoolOptions) -> Result<Self, ConnectError> {
        Self::connect_with(url, options, PreparedStatements::Cached)
    }

    /// As [`PostgresStorage::connect`], with the pool's connections sending statements as
    /// `statements` says: [`PreparedStatements::Unnamed`] behind a transaction-mode pooler.
    pub fn connect_with(
        url: &str,
        options: PoolOptions,
        statements: PreparedStatements,
    ) -> Result<Self, ConnectError> {
        let timeout = options.connection_timeout;
        let pool = pool::build(url, &options, statements)?;
        tracing::info!(
            max_connections = options.max_size,
            min_idle = options.min_idle,
            prepared_statements = ?statements,
            "connected to PostgreSQL"
        );
        Ok(Self {
            db: Blocking::new(pool, timeout),
        })
    }
}

impl fmt::Debug for PostgresStorage {
    /// Never prints the URL: it may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.db.pool().state();
        f.debug_struct("PostgresStorage")
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .finish()
    }
}
