//! Embedded SQLite storage for the calls platform: every `calls-core` storage port
//! ([`UserRepository`](calls_core::ports::UserRepository),
//! [`CallRecords`](calls_core::ports::CallRecords),
//! [`CallHistory`](calls_core::ports::CallHistory), [`CallUsage`](calls_core::ports::CallUsage),
//! [`CallSweeps`](calls_core::ports::CallSweeps),
//! [`CallStatistics`](calls_core::ports::CallStatistics),
//! [`RevocationStore`](calls_core::ports::RevocationStore),
//! [`DatabaseHealth`](calls_core::ports::DatabaseHealth)) on one cloneable [`SqliteStorage`],
//! for single-instance deployments and development without a database server.
//!
//! The ports are written once, in `calls-storage-diesel`, and stamped here for
//! `SqliteConnection`; this crate holds only what is SQLite's own: the schema (the PostgreSQL one
//! with SQLite types: UUID text ids, `BIGINT` microsecond times, see `columns`), the database's
//! location, the pool with its per-connection pragmas (WAL, busy timeout, foreign keys,
//! `synchronous = NORMAL`), the migrations and the SQL that differs (`dialect`).
//!
//! With the `test-support` feature, [`testing::TestDatabase`] gives each test a database file of
//! its own.

mod columns;
mod dialect;
mod location;
mod migrations;
mod pool;
mod schema;
mod storage;

#[cfg(feature = "test-support")]
pub mod testing;

pub use calls_storage_diesel::{MigrationError, PoolOptions};
pub use pool::{ConnectError, POOL_DEFAULTS};
pub use storage::SqliteStorage;

calls_storage_diesel::implement_storage_ports! {
    storage: SqliteStorage,
    backend: diesel::sqlite::Sqlite,
    connection: diesel::SqliteConnection,
}
