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
//! (`dialect`), and reading history from a read replica ([`PostgresStorage::with_read_replica`]).
//! [`PreparedStatements::Unnamed`] makes the pool work through a transaction-mode
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
mod pipelined;
mod pool;
mod refusal_memo;
mod replica;
mod schema;
mod statements;
mod storage;

#[cfg(feature = "test-support")]
pub mod testing;

pub use calls_storage_diesel::{MigrationError, PoolOptions};
pub use login_throttle::PostgresLoginThrottle;
/// The `application_name` of the pipelined history connections.
pub use pipelined::APPLICATION_NAME as PIPELINED_APPLICATION_NAME;
pub use pipelined::{NotPipelined, PipelineTarget};
pub use pool::{ConnectError, POOL_DEFAULTS};
pub use replica::ReplicaOptions;
pub use statements::PreparedStatements;
pub use storage::PostgresStorage;

calls_storage_diesel::implement_storage_ports! {
    storage: PostgresStorage,
    backend: diesel::pg::Pg,
    connection: diesel::PgConnection,
    // `CallHistory` is `replica::reads`: the stamped read, or the replica when one is set.
    read_replica: by_backend,
}
