//! The recent failures of one key.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

/// Timestamps of the most recent failures, oldest first, never more than the limit: older ones
/// cannot change the answer, so keeping them would only cost memory.
#[derive(Debug, Default)]
pub(crate) struct FailureWindow {
    failures: VecDeque<DateTime<Utc>>,
}

impl FailureWindow {
    /// Forgets failures that left the window ending at `now`.
    pub(crate) fn prune(&mut self, now: DateTime<Utc>, window: TimeDelta) {
        let start = now - window;
        while self.failures.front().is_some_and(|&at| at <= start) {
            self.failures.pop_front();
        }
    }

    /// Adds a failure, keeping the order even if clocks hand out times out of order.
    pub(crate) fn record(&mut self, at: DateTime<Utc>, limit: usize) {
        let position = self.failures.partition_point(|&earlier| earlier <= at);
        self.failures.insert(position, at);
        while self.failures.len() > limit {
            self.failures.pop_front();
        }
    }

    /// With `limit` or more failures in the window: when the oldest of them leaves it, which
    /// is when the key may fail again. Call [`FailureWindow::prune`] first.
    pub(crate) fn locked_until(&self, window: TimeDelta, limit: usize) -> Option<DateTime<Utc>> {
        if self.failures.len() < limit {
            return None;
        }
        let oldest = self.failures.get(self.failures.len() - limit)?;
        Some(*oldest + window)
    }

    /// Takes back one failure recorded at `at` (an admitted attempt that turned out not to be
    /// a failure); the others stay.
    pub(crate) fn remove_one(&mut self, at: DateTime<Utc>) {
        if let Some(position) = self.failures.iter().position(|&failure| failure == at) {
            self.failures.remove(position);
        }
    }

    pub(crate) fn newest(&self) -> Option<DateTime<Utc>> {
        self.failures.back().copied()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + seconds, 0)
            .single()
            .expect("valid")
    }

    const WINDOW: TimeDelta = TimeDelta::seconds(900);

    #[test]
    fn keeps_at_most_the_limit() {
        let mut window = FailureWindow::default();
        for second in 0..10 {
            window.record(at(second), 3);
        }
        assert_eq!(window.failures.len(), 3);
        assert_eq!(window.failures.front(), Some(&at(7)));
    }

    #[test]
    fn locked_until_is_when_the_oldest_counted_failure_leaves() {
        let mut window = FailureWindow::default();
        window.record(at(0), 2);
        assert_eq!(window.locked_until(WINDOW, 2), None);
        window.record(at(100), 2);
        assert_eq!(window.locked_until(WINDOW, 2), Some(at(900)));
        // A lower limit counts only the newest failures.
        assert_eq!(window.locked_until(WINDOW, 1), Some(at(1000)));
    }

    #[test]
    fn remove_one_takes_back_a_single_failure() {
        let mut window = FailureWindow::default();
        window.record(at(10), 5);
        window.record(at(10), 5);
        window.record(at(20), 5);
        window.remove_one(at(10));
        assert_eq!(window.failures, [at(10), at(20)]);
        window.remove_one(at(99));
        assert_eq!(window.failures, [at(10), at(20)]);
    }

    #[test]
    fn out_of_order_times_stay_sorted() {
        let mut window = FailureWindow::default();
        window.record(at(50), 5);
        window.record(at(10), 5);
        window.record(at(30), 5);
        assert_eq!(window.failures, [at(10), at(30), at(50)]);
    }

    #[test]
    fn prune_drops_failures_that_left_the_window() {
        let mut window = FailureWindow::default();
        window.record(at(0), 5);
        window.record(at(500), 5);
        window.prune(at(900), WINDOW);
        assert_eq!(window.failures, [at(500)]);
        window.prune(at(1400), WINDOW);
        assert!(window.is_empty());
    }
}
