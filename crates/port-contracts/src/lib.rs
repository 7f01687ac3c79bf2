//! One contract test suite per port of `calls-core`. Every adapter's own tests call the suite of
//! each port it implements, so all adapters of a port are held to the same behaviour.
//!
//! Suites are plain functions (async where the port is) that take a factory for a fresh, empty
//! adapter and panic (with a message naming the broken rule) on the first violation.

pub mod login_throttle;
pub mod password_hasher;
pub mod provider_webhooks;
pub mod region_names;
pub mod storage;
pub mod token_issuer;
pub mod voice_provider;
