//! `Argon2BcryptHasher` against the `PasswordHasher` port contract.

use calls_adapters_password::Argon2BcryptHasher;

calls_port_contracts::password_hasher_contract_tests!(Argon2BcryptHasher::default());
