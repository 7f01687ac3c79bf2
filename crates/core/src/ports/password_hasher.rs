//! Password hashing. Slow on purpose, so implementations run it off the async workers.

use async_trait::async_trait;

use crate::domain::{Password, PasswordHash};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    Mismatch,
    /// The password is right. `needs_rehash` says the stored hash uses an outdated scheme or
    /// parameters (e.g. legacy bcrypt) and should be replaced by a fresh [`PasswordHasher::hash`].
    Match {
        needs_rehash: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashingError {
    /// The stored hash is in no format this hasher knows.
    #[error("stored password hash has an unknown format")]
    UnknownFormat,
    /// Hashing could not run (worker pool gone, out of memory).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A new hash in the current scheme.
    async fn hash(&self, password: Password) -> Result<PasswordHash, HashingError>;

    /// Checks `password` against a stored hash of any supported scheme.
    async fn verify(
        &self,
        password: Password,
        hash: PasswordHash,
    ) -> Result<PasswordCheck, HashingError>;

    /// Does the work of a verification against a hash that matches nothing, so that a login for
    /// an unknown account takes as long as one with a wrong password.
    async fn verify_dummy(&self, password: Password);
}
