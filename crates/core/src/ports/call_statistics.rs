//! Figures over every user's calls, for metrics.

use async_trait::async_trait;

use super::StorageError;
use crate::domain::CallStatus;

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
pub trait CallStatistics: Send + Sync {
    /// How many calls, of all users, are in each status: one grouped count over the whole
    /// table (for metrics, read at scrape time). It reads the status of every row, so its cost
    /// grows with the table; call it every few seconds at most, not per request.
    async fn count_by_status(&self) -> Result<CallStatusCounts, StorageError>;
}
