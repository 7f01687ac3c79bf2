//! Contract suite for the `token_issuer` port.
