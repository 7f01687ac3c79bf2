//! When and how long to wait before repeating a request to Twilio.

use std::time::Duration;

/// Bounded exponential backoff. No jitter: our request volume per instance is far too small for
/// synchronised retries to matter, and fixed delays keep tests exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Extra attempts after the first one.
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Delay before retry number `retry` (0 for the first retry): `base * 2^retry`, capped at
    /// `max_delay`. A `Retry-After` from Twilio is honoured, but never beyond the cap, because
    /// the user is waiting for the call to start.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let factor = 1_u32.checked_shl(retry).unwrap_or(u32::MAX);
        let backoff = self.base_delay.saturating_mul(factor);
        backoff
            .max(retry_after.unwrap_or_default())
            .min(self.max_delay)
    }
}

/// Which failures a request may be repeated after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Repeating it cannot do harm (ending a call): retried after rate limiting, 5xx answers,
    /// timeouts and connection failures.
    Idempotent,
    /// It creates something (a call): retried only after a 429, which Twilio answers without
    /// processing the request. A 5xx or a timeout may come after the call was placed, and
    /// repeating it could ring the destination twice.
    CreatesResource,
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_retries: 5,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(1_000),
    };

    #[test]
    fn delays_double_up_to_the_cap() {
        let delays: Vec<_> = (0..6).map(|retry| POLICY.delay(retry, None)).collect();
        let millis: Vec<_> = delays.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(POLICY.delay(40, None), Duration::from_millis(1_000));
    }

    #[test]
    fn retry_after_is_honoured_within_the_cap() {
        let within = POLICY.delay(0, Some(Duration::from_millis(700)));
        assert_eq!(within, Duration::from_millis(700));
        let beyond = POLICY.delay(0, Some(Duration::from_secs(60)));
        assert_eq!(beyond, Duration::from_millis(1_000));
    }
}
