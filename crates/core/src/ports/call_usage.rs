//! What a user has used: the counts the calling limits are checked against.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::UserId;

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CallUsage: Send + Sync {
    /// How many of the user's calls are unfinished.
    async fn count_in_progress(&self, user_id: UserId) -> Result<u64, StorageError>;

    /// How many calls the user started at or after `since`.
    async fn count_started_since(
        &self,
        user_id: UserId,
        since: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
}
