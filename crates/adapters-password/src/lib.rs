//! Password adapters.
//!
//! * [`Argon2BcryptHasher`] implements [`PasswordHasher`](calls_core::ports::PasswordHasher):
//!   new hashes are argon2id (OWASP parameters); legacy bcrypt hashes written by the Go backend
//!   still verify and are flagged for rehashing.
//! * [`CommonPasswordList`] implements [`CommonPasswords`](calls_core::ports::CommonPasswords)
//!   with zxcvbn's dictionaries and pattern scoring.
//!
//! Nothing here logs, formats or `Debug`-prints a password or a hash.

mod argon2id;
mod bcrypt_legacy;
mod common;
mod config;
mod dummy;
mod hasher;
mod pool;
mod scheme;

pub use argon2id::{CURRENT_M_COST_KIB, CURRENT_OUTPUT_LEN, CURRENT_P_COST, CURRENT_T_COST};
pub use common::CommonPasswordList;
pub use config::HasherConfig;
pub use hasher::Argon2BcryptHasher;
