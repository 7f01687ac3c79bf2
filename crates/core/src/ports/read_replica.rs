//! What a storage that reads history from a read replica reports about it: whether the replica
//! is usable, how far behind it is, and where history pages were read. Read by `/system/health`
//! and the metrics, never by a use case: where a page is read is the storage's own decision.

use std::time::Duration;

/// Whether history pages may be read from the replica right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaCondition {
    /// Answering, and no further behind than the configured limit: pages are read there.
    Up,
    /// Answering, but further behind than the limit: pages are read from the primary.
    Lagging,
    /// Not answering (or not a standby): pages are read from the primary, and the replica is
    /// only probed in the background.
    Down,
}

impl ReplicaCondition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Lagging => "lagging",
            Self::Down => "down",
        }
    }
}

/// Where one history page was read, and why there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryReadSource {
    /// From the replica, which had replayed the user's last write.
    Replica,
    /// From the primary: the replica was down.
    PrimaryReplicaDown,
    /// From the primary: the replica was further behind than the limit.
    PrimaryReplicaLagging,
    /// From the primary: the replica had not yet replayed this user's last write.
    PrimaryReplicaBehindUser,
    /// From the primary: the read on the replica failed (the replica is then marked down).
    PrimaryReplicaFailed,
}

impl HistoryReadSource {
    pub const ALL: [Self; 5] = [
        Self::Replica,
        Self::PrimaryReplicaDown,
        Self::PrimaryReplicaLagging,
        Self::PrimaryReplicaBehindUser,
        Self::PrimaryReplicaFailed,
    ];

    /// The database that served the page: `replica` or `primary`.
    pub fn database(self) -> &'static str {
        match self {
            Self::Replica => "replica",
            _ => "primary",
        }
    }

    /// Why that database: `fresh`, `replica_down`, `replica_lagging`, `replica_behind_user`,
    /// `replica_failed`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Replica => "fresh",
            Self::PrimaryReplicaDown => "replica_down",
            Self::PrimaryReplicaLagging => "replica_lagging",
            Self::PrimaryReplicaBehindUser => "replica_behind_user",
            Self::PrimaryReplicaFailed => "replica_failed",
        }
    }

    /// Position in [`HistoryReadSource::ALL`] (and in [`ReplicaReport::reads`]).
    pub fn index(self) -> usize {
        match self {
            Self::Replica => 0,
            Self::PrimaryReplicaDown => 1,
            Self::PrimaryReplicaLagging => 2,
            Self::PrimaryReplicaBehindUser => 3,
            Self::PrimaryReplicaFailed => 4,
        }
    }
}

/// The replica's state as last measured, and the history reads so far by source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaReport {
    pub condition: ReplicaCondition,
    /// The last measured replication lag; `None` while the replica has not been measured (at
    /// start, or while it is down).
    pub lag: Option<Duration>,
    /// The lag beyond which history is read from the primary.
    pub max_lag: Duration,
    /// History pages read since start, indexed by [`HistoryReadSource::index`].
    pub reads: [u64; 5],
}

impl ReplicaReport {
    /// Pages read from `source` since start.
    pub fn reads_from(&self, source: HistoryReadSource) -> u64 {
        self.reads[source.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_its_own_index_and_labels() {
        for (position, source) in HistoryReadSource::ALL.into_iter().enumerate() {
            assert_eq!(source.index(), position);
        }
        let labels: std::collections::HashSet<_> = HistoryReadSource::ALL
            .iter()
            .map(|source| (source.database(), source.reason()))
            .collect();
        assert_eq!(labels.len(), HistoryReadSource::ALL.len());
        assert_eq!(HistoryReadSource::Replica.database(), "replica");
        assert_eq!(
            HistoryReadSource::PrimaryReplicaBehindUser.database(),
            "primary"
        );
    }
}
