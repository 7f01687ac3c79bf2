//! `JwtTokenIssuer` against the `TokenIssuer` port contract.

use calls_adapters_jwt::{JwtConfig, JwtTokenIssuer};

calls_port_contracts::token_issuer_contract_tests!(
    JwtTokenIssuer::from_secret_bytes(
        b"contract-secret-of-at-least-32-bytes!",
        JwtConfig::default()
    )
    .expect("valid config")
);
