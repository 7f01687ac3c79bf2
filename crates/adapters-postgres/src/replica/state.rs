//! The replica's condition as the monitor last measured it (a circuit breaker: a replica found
//! down is not tried again by requests until a probe finds it healthy), the history reads by
//! source, and the rate-limited warnings that say so.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use calls_core::ports::{HistoryReadSource, ReplicaCondition, ReplicaReport};

/// At most one log line per kind of change (down, lagging, up) and per kind of fallback within
/// this, so a flapping replica or a busy server does not flood the log.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// `lag_ms` while no lag is known (not measured yet, or down).
const UNKNOWN_LAG: u64 = u64::MAX;

pub(crate) struct ReplicaState {
    condition: AtomicU8,
    lag_ms: AtomicU64,
    max_lag: Duration,
    reads: [AtomicU64; 5],
    log: LogLimiter,
}

impl ReplicaState {
    /// Down until the first probe has measured it: reads go to the primary until then.
    pub(crate) fn new(max_lag: Duration) -> Self {
        Self {
            condition: AtomicU8::new(encode(ReplicaCondition::Down)),
            lag_ms: AtomicU64::new(UNKNOWN_LAG),
            max_lag,
            reads: Default::default(),
            log: LogLimiter::new(),
        }
    }

    pub(crate) fn condition(&self) -> ReplicaCondition {
        decode(self.condition.load(Ordering::Acquire))
    }

    /// A probe measured `lag`: up, or lagging beyond the limit.
    pub(crate) fn measured(&self, lag: Duration) {
        let lag_ms = u64::try_from(lag.as_millis()).unwrap_or(UNKNOWN_LAG - 1);
        self.lag_ms.store(lag_ms, Ordering::Release);
        let condition = if lag > self.max_lag {
            ReplicaCondition::Lagging
        } else {
            ReplicaCondition::Up
        };
        let before = self.swap(condition);
        if before == condition {
            return;
        }
        let max_lag_ms = self.max_lag.as_millis();
        match condition {
            ReplicaCondition::Lagging => self.log.warn(0, |suppressed| {
                tracing::warn!(
                    lag_ms,
                    max_lag_ms,
                    suppressed,
                    "read replica lags beyond database.replica_max_lag_ms: history is read from the primary"
                );
            }),
            _ => self.log.warn(1, |suppressed| {
                tracing::info!(lag_ms, suppressed, "read replica up: history is read from it");
            }),
        }
    }

    /// The replica did not answer, failed a read, or is not a standby: reads go to the
    /// primary until a probe finds it healthy again.
    pub(crate) fn down(&self, why: &str) {
        self.lag_ms.store(UNKNOWN_LAG, Ordering::Release);
        if self.swap(ReplicaCondition::Down) != ReplicaCondition::Down {
            self.log.warn(2, |suppressed| {
                tracing::warn!(
                    reason = why,
                    suppressed,
                    "read replica down: history is read from the primary; probing it in the background"
                );
            });
        }
    }

    /// Counts a page read from `source`.
    pub(crate) fn count(&self, source: HistoryReadSource) {
        self.reads[source.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn report(&self) -> ReplicaReport {
        let lag_ms = self.lag_ms.load(Ordering::Acquire);
        ReplicaReport {
            condition: self.condition(),
            lag: (lag_ms != UNKNOWN_LAG).then(|| Duration::from_millis(lag_ms)),
            max_lag: self.max_lag,
            reads: std::array::from_fn(|index| self.reads[index].load(Ordering::Relaxed)),
        }
    }

    fn swap(&self, condition: ReplicaCondition) -> ReplicaCondition {
        decode(self.condition.swap(encode(condition), Ordering::AcqRel))
    }
}

fn encode(condition: ReplicaCondition) -> u8 {
    match condition {
        ReplicaCondition::Up => 0,
        ReplicaCondition::Lagging => 1,
        ReplicaCondition::Down => 2,
    }
}

fn decode(value: u8) -> ReplicaCondition {
    match value {
        0 => ReplicaCondition::Up,
        1 => ReplicaCondition::Lagging,
        _ => ReplicaCondition::Down,
    }
}

/// One line per kind within [`LOG_EVERY`]; the lines it held back are counted in the next one.
struct LogLimiter {
    start: Instant,
    /// Per kind: milliseconds since `start` of the last line written, plus one (0: never).
    last: [AtomicU64; 3],
    suppressed: [AtomicU64; 3],
}

impl LogLimiter {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            last: Default::default(),
            suppressed: Default::default(),
        }
    }

    fn warn(&self, kind: usize, write: impl FnOnce(u64)) {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1;
        let last = self.last[kind].load(Ordering::Acquire);
        let every = u64::try_from(LOG_EVERY.as_millis()).unwrap_or(u64::MAX);
        let due = last == 0 || now.saturating_sub(last) >= every;
        if due
            && self.last[kind]
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            write(self.suppressed[kind].swap(0, Ordering::AcqRel));
        } else {
            self.suppressed[kind].fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_down_and_follows_the_measured_lag() {
        let state = ReplicaState::new(Duration::from_millis(1000));
        assert_eq!(state.condition(), ReplicaCondition::Down);
        assert_eq!(state.report().lag, None);
        state.measured(Duration::from_millis(20));
        assert_eq!(state.condition(), ReplicaCondition::Up);
        assert_eq!(state.report().lag, Some(Duration::from_millis(20)));
        state.measured(Duration::from_millis(1000));
        assert_eq!(
            state.condition(),
            ReplicaCondition::Up,
            "the limit itself is allowed"
        );
        state.measured(Duration::from_millis(1001));
        assert_eq!(state.condition(), ReplicaCondition::Lagging);
        state.down("connection refused");
        assert_eq!(state.condition(), ReplicaCondition::Down);
        assert_eq!(state.report().lag, None);
    }

    #[test]
    fn counts_reads_by_source() {
        let state = ReplicaState::new(Duration::from_secs(1));
        state.count(HistoryReadSource::Replica);
        state.count(HistoryReadSource::Replica);
        state.count(HistoryReadSource::PrimaryReplicaDown);
        let report = state.report();
        assert_eq!(report.reads_from(HistoryReadSource::Replica), 2);
        assert_eq!(report.reads_from(HistoryReadSource::PrimaryReplicaDown), 1);
        assert_eq!(
            report.reads_from(HistoryReadSource::PrimaryReplicaFailed),
            0
        );
    }

    #[test]
    fn the_limiter_writes_once_per_window_and_counts_the_rest() {
        let limiter = LogLimiter::new();
        let mut written = Vec::new();
        for _ in 0..5 {
            limiter.warn(0, |suppressed| written.push(suppressed));
        }
        assert_eq!(written, vec![0], "one line, then held back");
        assert_eq!(limiter.suppressed[0].load(Ordering::Relaxed), 4);
        limiter.warn(1, |suppressed| written.push(suppressed));
        assert_eq!(written, vec![0, 0], "each kind has its own window");
    }
}
