//! Storage of call records and the history query.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{RevocationKey, StorageError};
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

/// How many stored calls are in each status, every status included (zero when no call has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallStatusCounts {
    counts: [u64; CallStatus::ALL.len()],
}

impl CallStatusCounts {
    fn index(status: CallStatus) -> usize {
        CallStatus::ALL
            .iter()
            .position(|known| *known == status)
            .unwrap_or_default()
    }

    /// Counts `count` more calls in `status`.
    pub fn add(&mut self, status: CallStatus, count: u64) {
        let slot = &mut self.counts[Self::index(status)];
        *slot = slot.saturating_add(count);
    }

    pub fn get(&self, status: CallStatus) -> u64 {
        self.counts[Self::index(status)]
    }

    /// Every status with its count, in [`CallStatus::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (CallStatus, u64)> + '_ {
        CallStatus::ALL
            .into_iter()
            .map(|status| (status, self.get(status)))
    }

    pub fn total(&self) -> u64 {
        self.counts
            .iter()
            .fold(0, |sum, count| sum.saturating_add(*count))
    }
}

impl FromIterator<(CallStatus, u64)> for CallStatusCounts {
    fn from_iter<I: IntoIterator<Item = (CallStatus, u64)>>(iter: I) -> Self {
        let mut counts = Self::default();
        for (status, count) in iter {
            counts.add(status, count);
        }
        counts
    }
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

    /// As [`CallRepository::history`], read in the same snapshot as the check that the token
    /// `revocation` names is not revoked (what [`super::RevocationStore::is_revoked`] answers):
    /// `Ok(None)` when it is, and then no call is returned.
    ///
    /// Why: history reads are the hot path, and checking the revocation on its own costs one
    /// more round trip and one more hop to a blocking thread per request (docs/BENCHMARKS.md).
    /// Read with the page's total, the check stays exact, so a logout is still honoured by every
    /// instance at once.
    async fn history_unless_revoked(
        &self,
        query: HistoryQuery,
        revocation: RevocationKey,
    ) -> Result<Option<HistoryPage>, StorageError>;

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

    /// How many calls, of all users, are in each status: one grouped count over the whole
    /// table (for metrics, read at scrape time). It reads the status of every row, so its cost
    /// grows with the table; call it every few seconds at most, not per request.
    async fn count_by_status(&self) -> Result<CallStatusCounts, StorageError>;
}
