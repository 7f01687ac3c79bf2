//! [`LoginThrottle`](calls_core::ports::LoginThrottle) adapter kept in process memory: the
//! default of the embedded (SQLite, single-instance) deployment, which needs no shared store.
//!
//! Failed logins are counted in sliding windows per account and per client network. Past the
//! limit, logins are refused until the oldest counted failure leaves the window. Memory is
//! bounded: each key keeps at most `limit` timestamps and each table at most a configured number
//! of keys, evicting expired keys first and then the least recently failed ones.
//!
//! The state is per process: several server instances would each count on their own, so
//! deployments of more than one instance (on PostgreSQL) use the PostgreSQL adapter
//! (`calls-adapters-postgres`), whose counts every instance shares.

mod config;
mod table;
mod throttle;
mod window;

pub use config::ThrottleConfig;
pub use throttle::InMemoryLoginThrottle;
