//! The replica's lag, measured on this server's own clock from WAL positions.
//!
//! Each probe reads the primary's WAL position, then the position the replica has replayed.
//! The lag is how long ago the primary was first seen at a position the replica has not
//! replayed yet: no clock of either database is compared with ours, and an idle primary (no
//! new WAL) is never mistaken for a lagging replica, which `now() -
//! pg_last_xact_replay_timestamp()` would be. The measure is at most one probe interval short
//! of the true lag (the write happened before the probe that saw it).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Primary positions not yet replayed kept at most; beyond it the oldest is kept (it is what
/// the lag is measured from) and the ones after it are thinned out.
const MAX_PENDING: usize = 4096;

/// Primary WAL positions seen and not yet replayed by the replica, oldest first.
#[derive(Debug, Default)]
pub(crate) struct LagTracker {
    pending: VecDeque<(i64, Instant)>,
}

impl LagTracker {
    /// Records that the primary was at WAL position `primary` at `seen`, and that the replica,
    /// read after that, had replayed up to `replayed`; returns the lag as of `now`.
    pub(crate) fn observe(
        &mut self,
        primary: i64,
        seen: Instant,
        replayed: i64,
        now: Instant,
    ) -> Duration {
        if self
            .pending
            .back()
            .is_none_or(|&(position, _)| primary > position)
        {
            self.pending.push_back((primary, seen));
        }
        while self
            .pending
            .front()
            .is_some_and(|&(position, _)| position <= replayed)
        {
            self.pending.pop_front();
        }
        while self.pending.len() > MAX_PENDING {
            self.pending.remove(1);
        }
        self.pending
            .front()
            .map_or(Duration::ZERO, |&(_, at)| now.saturating_duration_since(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_replica_that_keeps_up_has_no_lag() {
        let start = Instant::now();
        let mut tracker = LagTracker::default();
        for tick in 0..5 {
            let at = start + SECOND * tick;
            assert_eq!(
                tracker.observe(100 * i64::from(tick), at, 100 * i64::from(tick), at),
                Duration::ZERO
            );
        }
    }

    #[test]
    fn an_idle_primary_is_not_lag_however_old_the_last_write() {
        let start = Instant::now();
        let mut tracker = LagTracker::default();
        tracker.observe(500, start, 500, start);
        let later = start + SECOND * 600;
        assert_eq!(tracker.observe(500, later, 500, later), Duration::ZERO);
    }

    #[test]
    fn lag_counts_from_the_first_position_the_replica_has_not_replayed() {
        let start = Instant::now();
        let mut tracker = LagTracker::default();
        assert_eq!(tracker.observe(100, start, 100, start), Duration::ZERO);
        // Replay pauses at 100 while the primary moves on.
        assert_eq!(
            tracker.observe(200, start + SECOND, 100, start + SECOND),
            Duration::ZERO
        );
        assert_eq!(
            tracker.observe(300, start + SECOND * 2, 100, start + SECOND * 2),
            SECOND
        );
        assert_eq!(
            tracker.observe(300, start + SECOND * 5, 100, start + SECOND * 5),
            SECOND * 4,
            "a primary that stopped writing does not reset the lag"
        );
        // Replay resumes as far as 250: the lag is now counted from when 300 was seen.
        assert_eq!(
            tracker.observe(300, start + SECOND * 6, 250, start + SECOND * 6),
            SECOND * 4
        );
        assert_eq!(
            tracker.observe(300, start + SECOND * 7, 300, start + SECOND * 7),
            Duration::ZERO
        );
    }

    #[test]
    fn a_long_stall_keeps_its_oldest_position() {
        let start = Instant::now();
        let mut tracker = LagTracker::default();
        let ticks = u32::try_from(MAX_PENDING).expect("small") + 100;
        for tick in 0..ticks {
            let at = start + Duration::from_millis(u64::from(tick));
            tracker.observe(1000 + i64::from(tick), at, 0, at);
        }
        assert!(tracker.pending.len() <= MAX_PENDING);
        let now = start + Duration::from_millis(u64::from(ticks));
        assert_eq!(
            tracker.observe(0, now, 0, now),
            Duration::from_millis(u64::from(ticks))
        );
    }
}
