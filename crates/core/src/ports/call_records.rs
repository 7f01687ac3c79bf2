//! The call records themselves: creating one, reading one, and moving it through its statuses.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::{Call, CallId, CallStatus, NewCall, StatusChange, UserId};

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
pub trait CallRecords: Send + Sync {
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

    /// The user's newest unfinished call without a provider session, started at or after
    /// `since`: the browser call a provider webhook is about to link.
    async fn find_pending_without_session(
        &self,
        user_id: UserId,
        since: DateTime<Utc>,
    ) -> Result<Option<Call>, StorageError>;
}
