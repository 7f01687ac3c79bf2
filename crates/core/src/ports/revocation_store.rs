//! Revoked (logged-out) tokens, shared by every server instance through the database.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;

/// What identifies a token for revocation: its `jti`, or for legacy tokens without one, a hash of
/// the whole token. Never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RevocationKey(String);

impl RevocationKey {
    pub fn new(key: String) -> Self {
        Self(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RevocationStore: Send + Sync {
    /// Revokes the token until `expires_at`, when it would stop being valid anyway. Revoking
    /// twice is not an error.
    async fn revoke(
        &self,
        key: &RevocationKey,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// Whether the token is revoked.
    async fn is_revoked(&self, key: &RevocationKey) -> Result<bool, StorageError>;

    /// Deletes revocations that expired before `now`; returns how many.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError>;
}
