//! Maintenance over every user's calls, run by background jobs rather than requests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::CallStatus;

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CallSweeps: Send + Sync {
    /// Marks as `failed` (with `reason`) every call with status `status` that started before
    /// `started_before`. A single guarded statement, so running it on several instances at once
    /// fails each call once. Returns how many calls it failed.
    async fn fail_stale(
        &self,
        status: CallStatus,
        started_before: DateTime<Utc>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
}
