//! PostgreSQL storage for the calls platform: every `calls-core` storage port
//! ([`UserRepository`](calls_core::ports::UserRepository),
//! [`CallRecords`](calls_core::ports::CallRecords),
//! [`CallHistory`](calls_core::ports::CallHistory), [`CallUsage`](calls_core::ports::CallUsage),
//! [`CallSweeps`](calls_core::ports::CallSweeps),
//! [`CallStatistics`](calls_core::ports::CallStatistics),
//! [`RevocationStore`](calls_core::ports::RevocationStore),
//! [`DatabaseHealth`](calls_core::ports::DatabaseHealth)) on one cloneable [`PostgresStorage`].
//!
//! The ports are written once, in `calls-storage-diesel`, and stamped here for `PgConnection`;
//! this crate holds only what is PostgreSQL's own: the schema (the Go backend's `uuid` and
//! `timestamptz` columns, so its database upgrades in place), the column conversions, the pool,
//! the migrations (with an advisory lock across instances) and the SQL that differs
//! (`dialect`). [`PreparedStatements::Unnamed`] makes the pool work through a transaction-mode
//! pooler (PgBouncer, any version).
//!
//! Beside the storage ports, [`PostgresLoginThrottle`] implements the
//! [`LoginThrottle`](calls_core::ports::LoginThrottle) port on the same pool: login failures in a
//! table every instance shares (PostgreSQL's own, see its module for why).
//!
//! With the `test-support` feature, [`testing::TestDatabase`] gives each test a database of its
//! own.

mod columns;
mod dialect;
mod login_throttle;
mod migrations;
mod pool;
mod schema;
mod statements;
mod storage;

#[cfg(feature = "test-support")]
pub mod testing;

pub use calls_storage_diesel::{MigrationError, PoolOptions};
pub use login_throttle::PostgresLoginThrottle;
pub use pool::{ConnectError, POOL_DEFAULTS};
pub use statements::PreparedStatements;
pub use storage::PostgresStorage;

calls_storage_diesel::implement_storage_ports! {
    storage: PostgresStorage,
    backend: diesel::pg::Pg,
    connection: diesel::PgConnection,
}
