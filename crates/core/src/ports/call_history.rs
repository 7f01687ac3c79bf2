//! Reading a user's call history, one page at a time.

use async_trait::async_trait;

use super::{SessionRef, StorageError};
use crate::domain::{HistoryPage, HistoryQuery};

/// A history page read for a session: the page, or the news that the session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionHistory {
    Page(HistoryPage),
    /// The session's token was logged out: nothing was read.
    SessionEnded,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CallHistory: Send + Sync {
    /// One page of a user's calls, newest first (start time, then id, both descending),
    /// filtered, counted and paged by the database.
    async fn page(&self, query: HistoryQuery) -> Result<HistoryPage, StorageError>;

    /// As [`CallHistory::page`], for a session that must still be valid: the check that the
    /// session (`session`) is live (what [`super::RevocationStore::is_revoked`] answers: not
    /// revoked, user present, not ended by the user's `sessions_valid_after`) is made in the same snapshot as the page, and when it is revoked no call is
    /// read ([`SessionHistory::SessionEnded`]).
    ///
    /// Why one operation: history reads are the hot path, and checking the revocation on its
    /// own costs one more round trip and one more hop to a blocking thread per request
    /// (docs/BENCHMARKS.md). Read with the page, the check stays exact, so a logout is still
    /// honoured by every instance at once.
    async fn page_for_live_session(
        &self,
        query: HistoryQuery,
        session: SessionRef,
    ) -> Result<SessionHistory, StorageError>;
}
