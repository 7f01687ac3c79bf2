//! Storage of password-reset secrets (their digests), beside the accounts they reset.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::{Email, PasswordHash, ResetDigest, UserId};

/// A reset that went through: whose password it was, and the sessions cutoff now in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemedReset {
    pub user_id: UserId,
    pub sessions_valid_after: DateTime<Utc>,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordResetTokens: Send + Sync {
    /// Makes `digest` the one live reset secret of the account with `email` until
    /// `expires_at`, replacing the account's earlier ones (only the newest link works, also
    /// when requests race). Runs the same statements whether or not such an account exists,
    /// so that the time it takes does not tell; returns whether one does.
    async fn issue(
        &self,
        email: &Email,
        digest: &ResetDigest,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    /// The account whose secret this is, if it is live at `now` (stored, not expired).
    async fn holder(
        &self,
        digest: &ResetDigest,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StorageError>;

    /// Spends the secret, if it is live at `now`: deletes it (its account's only one), stores `hash` as the password and ends every session opened up to `now` (as
    /// [`super::UserRepository::end_all_sessions`]), in one transaction. Of concurrent
    /// redemptions of one secret exactly one succeeds; the others, and a secret that is
    /// unknown, spent or expired, get `None` and change nothing.
    async fn redeem(
        &self,
        digest: &ResetDigest,
        hash: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<RedeemedReset>, StorageError>;

    /// Deletes the secrets that expired at or before `now`; how many. Safe on several
    /// instances at once.
    async fn purge_expired_links(&self, now: DateTime<Utc>) -> Result<u64, StorageError>;
}
