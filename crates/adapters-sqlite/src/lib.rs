//! Embedded SQLite storage for the calls platform: implements the `calls-core` storage ports
//! ([`UserRepository`](calls_core::ports::UserRepository),
//! [`CallRepository`](calls_core::ports::CallRepository),
//! [`RevocationStore`](calls_core::ports::RevocationStore),
//! [`DatabaseHealth`](calls_core::ports::DatabaseHealth)) on one cloneable [`SqliteStorage`],
//! for single-instance deployments and development without a database server.
//!
//! The schema is the PostgreSQL one with SQLite types: ids are lower-case hyphenated UUID text
//! (which sorts like PostgreSQL's `uuid`), times are `BIGINT` microseconds since the Unix epoch
//! (exact and orderable). Every pooled connection runs in WAL mode with a busy timeout, so
//! readers never block and writers queue instead of failing.
//!
//! With the `test-support` feature, [`testing::TestDatabase`] gives each test a database file of
//! its own.

mod activity;
mod blocking;
mod calls;
mod errors;
mod health;
mod history;
mod location;
mod migrations;
mod models;
mod pool;
mod revocations;
mod schema;
mod status_counts;
mod storage;
mod users;

#[cfg(feature = "test-support")]
pub mod testing;

pub use migrations::MigrationError;
pub use pool::{ConnectError, PoolOptions};
pub use storage::SqliteStorage;
