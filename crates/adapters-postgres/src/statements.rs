//! How the pool's connections send statements: named and cached (PostgreSQL directly, or a
//! session-mode pooler), or unnamed (a transaction-mode pooler such as PgBouncer with
//! `pool_mode = transaction`, any version). See `calls_storage_diesel::WithoutStatementCache`.

/// Whether diesel may keep named prepared statements on the pool's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PreparedStatements {
    /// diesel's default: each statement is prepared once per connection under a name and
    /// reused. Needs every transaction of a connection to reach the same server session.
    #[default]
    Cached,
    /// Nothing is named: each statement travels with its parameters in one exchange, so it works
    /// when consecutive transactions of one connection run on different server sessions.
    Unnamed,
}
