//! The call records themselves: creating one, reading one, and moving it through its statuses.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::{
    Call, CallId, CallStatus, NewCall, ReportLedger, ReportUpdate, StatusChange, UserId,
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

/// A call and its [`ReportLedger`], read together: what a provider report is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportState {
    pub call: Call,
    pub ledger: ReportLedger,
}

impl ReportState {
    /// What [`CallRecords::apply_report`] checks is still stored.
    pub fn guard(&self) -> ReportGuard {
        ReportGuard {
            status: self.call.status,
            version: self.ledger.version,
        }
    }
}

/// The state a report update was decided on: it is written only if the call still has this
/// status and ledger version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportGuard {
    pub status: CallStatus,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyReportError {
    #[error("call not found")]
    NotFound,
    /// The call was written since it was read (another report, a terminate, the reaper);
    /// nothing was written. The caller reads it again and decides anew.
    #[error("the call changed since it was read")]
    Changed,
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
    /// the same statement as the write, and moves the ledger's version on (so a report decided
    /// before is not applied over it). Returns the updated call. Errors:
    /// [`TransitionError::NotFound`], [`TransitionError::Refused`] with the stored status (and
    /// nothing written), or a storage failure.
    async fn transition(&self, id: CallId, change: StatusChange) -> Result<Call, TransitionError>;

    /// The call with its report ledger (a new call's is empty, version 0).
    async fn report_state(&self, id: CallId) -> Result<Option<ReportState>, StorageError>;

    /// Writes `update` and moves the ledger's version on, if and only if the call still has
    /// `guard`'s status and version, checked in the same statement as the write: two reports
    /// racing on one call are applied one after the other, each on what the other wrote.
    /// Returns the updated call. Errors: [`ApplyReportError::NotFound`],
    /// [`ApplyReportError::Changed`] (nothing written), or a storage failure.
    async fn apply_report(
        &self,
        id: CallId,
        guard: ReportGuard,
        update: ReportUpdate,
    ) -> Result<Call, ApplyReportError>;

    /// The call the voice provider knows by `session_id`.
    async fn find_by_session_id(&self, session_id: &str) -> Result<Option<Call>, StorageError>;

    /// The user's newest unfinished call without a provider session, started at or after
    /// `since`: the browser call a provider webhook is about to link.
    async fn find_pending_without_session(
        &self,
        user_id: UserId,
        since: DateTime<Utc>,
    ) -> Result<Option<Call>, StorageError>;

    /// The user's unfinished calls (initiated, connecting, active), newest first: what must be
    /// hung up at the provider before the account goes.
    async fn unfinished_of(&self, user_id: UserId) -> Result<Vec<Call>, StorageError>;
}
