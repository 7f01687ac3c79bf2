//! `InMemoryLoginThrottle` against the `LoginThrottle` port contract.

use calls_adapters_throttle::{InMemoryLoginThrottle, ThrottleConfig};

calls_port_contracts::login_throttle_contract_tests!(|limits| async move {
    let config = ThrottleConfig {
        limits,
        ..ThrottleConfig::default()
    };
    Some(((), InMemoryLoginThrottle::new(config)))
});
