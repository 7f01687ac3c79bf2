//! The `PasswordHasher` port: argon2id for new hashes, argon2 and legacy bcrypt for checks.

use async_trait::async_trait;
use calls_core::domain::{Password, PasswordHash};
use calls_core::ports::{HashingError, PasswordCheck, PasswordHasher};

use crate::config::HasherConfig;
use crate::pool::HashingPool;
use crate::scheme::{Scheme, identify};
use crate::{argon2id, bcrypt_legacy, dummy};

/// Hashes with argon2id (m = 12288 KiB, t = 3, p = 1, 16-byte random salt, PHC string) and
/// verifies argon2 PHC strings and the Go backend's bcrypt hashes.
///
/// All hashing runs on [`HasherConfig::max_concurrent_hashes`] dedicated threads, never on the
/// async workers nor on tokio's blocking pool (see `pool` for why).
/// Passwords are never truncated by the argon2 path (see the bcrypt module for the legacy
/// 72-byte limit).
#[derive(Debug, Clone)]
pub struct Argon2BcryptHasher {
    pool: HashingPool,
}

impl Argon2BcryptHasher {
    pub fn new(config: HasherConfig) -> Self {
        Self {
            pool: HashingPool::new(config.max_concurrent_hashes.get()),
        }
    }
}

impl Default for Argon2BcryptHasher {
    fn default() -> Self {
        Self::new(HasherConfig::default())
    }
}

#[async_trait]
impl PasswordHasher for Argon2BcryptHasher {
    async fn hash(&self, password: Password) -> Result<PasswordHash, HashingError> {
        self.pool
            .run(move || argon2id::hash(password.expose().as_bytes()))
            .await?
            .map(PasswordHash::new)
    }

    async fn verify(
        &self,
        password: Password,
        hash: PasswordHash,
    ) -> Result<PasswordCheck, HashingError> {
        // Unknown formats are refused before queueing for a hashing slot.
        let scheme = identify(hash.as_str())?;
        self.pool
            .run(move || {
                let password = password.expose().as_bytes();
                match scheme {
                    Scheme::Argon2 => argon2id::verify(password, hash.as_str()),
                    Scheme::Bcrypt => bcrypt_legacy::verify(password, hash.as_str()),
                }
            })
            .await?
    }

    async fn verify_dummy(&self, password: Password) {
        let outcome = self
            .pool
            .run(move || {
                let password = password.expose().as_bytes();
                match dummy::dummy_hash() {
                    Some(stored) => argon2id::verify(password, stored).map(drop),
                    // Same cost without the stored hash: hash the password instead.
                    None => argon2id::hash(password).map(drop),
                }
            })
            .await;
        if let Err(err) | Ok(Err(err)) = outcome {
            tracing::warn!(%err, "dummy password verification failed");
        }
    }
}
