//! Storage of call records and the history query.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::{
    Call, CallId, CallStatus, HistoryPage, HistoryQuery, NewCall, StatusChange, UserId,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateCallError {
    /// The owner does not exist (deleted between authentication and insert).
    #[error("the user does not exist")]
    UnknownUser,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("call not found")]
    NotFound,
    /// The stored status may not become the requested one; nothing was changed.
    #[error("a {current} call cannot become {requested}")]
    Refused {
        current: CallStatus,
        requested: CallStatus,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CallRepository: Send + Sync {
    /// Inserts a call. Errors: [`CreateCallError::UnknownUser`], or a storage failure.
    async fn create(&self, call: NewCall) -> Result<Call, CreateCallError>;

    async fn get(&self, id: CallId) -> Result<Option<Call>, StorageError>;

    /// Applies `change` if and only if the stored status may become `change.status`, checked in
    /// the same statement as the write. Returns the updated call. Errors:
    /// [`TransitionError::NotFound`], [`TransitionError::Refused`] with the stored status (and
    /// nothing written), or a storage failure.
    async fn transition(&self, id: CallId, change: StatusChange) -> Result<Call, TransitionError>;

    /// Replaces the duration of a `completed` call, and of no other. The provider's own
    /// measurement (Twilio's `CallDuration`) can arrive after we stored the one we measured when
    /// the user hung up; it is the one that is billed. Returns whether a call was updated.
    async fn settle_duration(&self, id: CallId, duration: u32) -> Result<bool, StorageError>;

    /// The call the voice provider knows by `session_id`.
    async fn find_by_session_id(&self, session_id: &str) -> Result<Option<Call>, StorageError>;

    /// One page of a user's calls, newest first (start time, then id, both descending),
    /// filtered, counted and paged by the database.
    async fn history(&self, query: HistoryQuery) -> Result<HistoryPage, StorageError>;

    /// How many of the user's calls are unfinished.
    async fn count_in_progress(&self, user_id: UserId) -> Result<u64, StorageError>;

    /// How many calls the user started at or after `since`.
    async fn count_started_since(
        &self,
        user_id: UserId,
        since: DateTime<Utc>,
    ) -> Result<u64, StorageError>;

    /// The user's newest unfinished call without a provider session, started at or after
    /// `since`: the browser call a provider webhook is about to link.
    async fn find_pending_without_session(
        &self,
        user_id: UserId,
        since: DateTime<Utc>,
    ) -> Result<Option<Call>, StorageError>;

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
