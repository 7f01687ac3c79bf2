//! The recent failures of one key.

use std::collections::VecDeque;
use std::time::Duration;

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

    /// With `limit` or more failures in the window: how long until the oldest leaves it, rounded
    /// up to whole seconds (what a `Retry-After` header can say) and at least one second.
    /// Call [`FailureWindow::prune`] first.
    pub(crate) fn retry_after(
        &self,
        now: DateTime<Utc>,
        window: TimeDelta,
        limit: usize,
    ) -> Option<Duration> {
        if self.failures.len() < limit {
            return None;
        }
        let oldest = *self.failures.front()?;
        let remaining = (oldest + window - now).to_std().unwrap_or(Duration::ZERO);
        let whole_seconds = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
        Some(Duration::from_secs(whole_seconds.max(1)))
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
    fn retry_after_is_when_the_oldest_leaves() {
        let mut window = FailureWindow::default();
        window.record(at(0), 2);
        assert_eq!(window.retry_after(at(10), WINDOW, 2), None);
        window.record(at(100), 2);
        assert_eq!(
            window.retry_after(at(200), WINDOW, 2),
            Some(Duration::from_secs(700))
        );
    }

    #[test]
    fn retry_after_rounds_up_and_is_at_least_one_second() {
        let mut window = FailureWindow::default();
        window.record(at(0), 1);
        let almost = at(899) + TimeDelta::milliseconds(999);
        assert_eq!(
            window.retry_after(almost, WINDOW, 1),
            Some(Duration::from_secs(1))
        );
        let partial = at(0) + TimeDelta::milliseconds(1500);
        assert_eq!(
            window.retry_after(partial, WINDOW, 1),
            Some(Duration::from_secs(899))
        );
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
