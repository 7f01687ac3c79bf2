//! Contract suite for the `password_hasher` port.
