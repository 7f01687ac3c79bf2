//! Revoked (logged-out) tokens, shared by every server instance through the database.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::UserId;

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

/// What the storage needs to decide whether a signed token still opens a session: its
/// revocation key, its user and its issue time.
///
/// A session is live iff its key is not revoked, its user still exists, and the user's
/// `sessions_valid_after` is unset or at most `issued_at` (whole seconds, as in the token's
/// `iat`; see [`crate::domain::sessions_cutoff`]). The storage answers all three in one
/// statement, so the check costs what the revocation check alone cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    pub key: RevocationKey,
    pub user_id: UserId,
    /// The token's `iat`; a token without one counts as issued at the Unix epoch, so ending the
    /// user's sessions ends it too.
    pub issued_at: DateTime<Utc>,
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

    /// Whether the session is over: its token revoked, its user gone, or all of the user's
    /// sessions ended after the token was issued (see [`SessionRef`]).
    async fn is_revoked(&self, session: &SessionRef) -> Result<bool, StorageError>;

    /// Deletes revocations that expired before `now`; returns how many.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError>;
}
