//! [`LoginThrottle`](calls_core::ports::LoginThrottle) adapter kept in process memory.
//!
//! Failed logins are counted in sliding windows per account and per client address. Past the
//! limit, logins are refused until the oldest counted failure leaves the window. Memory is
//! bounded: each key keeps at most `limit` timestamps and each table at most a configured number
//! of keys, evicting expired keys first and then the least recently failed ones.
//!
//! The state is per process: with several server instances each counts on its own, so the
//! effective limit is multiplied by the number of instances behind the load balancer.

mod client_key;
mod config;
mod table;
mod throttle;
mod window;

pub use config::ThrottleConfig;
pub use throttle::InMemoryLoginThrottle;
