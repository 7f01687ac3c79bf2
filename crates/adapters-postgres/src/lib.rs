//! PostgreSQL storage for the calls platform: implements the `calls-core` storage ports
//! ([`UserRepository`](calls_core::ports::UserRepository),
//! [`CallRepository`](calls_core::ports::CallRepository),
//! [`RevocationStore`](calls_core::ports::RevocationStore),
//! [`DatabaseHealth`](calls_core::ports::DatabaseHealth)) on one cloneable [`PostgresStorage`].
//!
//! Diesel is blocking, so every operation runs on tokio's blocking pool, at most as many at once
//! as the connection pool holds (see `blocking`). The migrations upgrade a database created by
//! the legacy Go backend in place, and create the same schema in an empty one.
//!
//! With the `test-support` feature, [`testing::TestDatabase`] gives each test a database of its
//! own.

mod activity;
mod blocking;
mod calls;
mod errors;
mod health;
mod history;
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
pub use storage::PostgresStorage;
