//! Closing calls the provider never finished (a lost webhook, a crashed browser, an instance
//! that died mid-initiate), so they stop counting against the user's limit.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::VoiceService;
use crate::domain::CallStatus;
use crate::ports::StorageError;

/// How long a call may stay in each unfinished status before it is failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaperPolicy {
    /// Ringing that never got answered nor reported.
    pub connecting: Duration,
    /// Longer than any real conversation (Twilio itself ends calls after 4 h by default).
    pub active: Duration,
    /// Records made through `POST /api/calls` that the client never updated.
    pub initiated: Duration,
}

impl Default for ReaperPolicy {
    fn default() -> Self {
        Self {
            connecting: Duration::from_secs(2 * 60),
            active: Duration::from_secs(4 * 60 * 60),
            initiated: Duration::from_secs(4 * 60 * 60),
        }
    }
}

/// How many calls one sweep failed, per status they were stuck in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReapReport {
    pub connecting: u64,
    pub active: u64,
    pub initiated: u64,
}

impl ReapReport {
    pub fn total(&self) -> u64 {
        self.connecting + self.active + self.initiated
    }
}

impl VoiceService {
    /// Fails every call stuck longer than `policy` allows. Each status is one guarded update,
    /// so every instance may sweep at the same time: each call is failed once.
    pub async fn reap_stale_calls(
        &self,
        policy: &ReaperPolicy,
    ) -> Result<ReapReport, StorageError> {
        let now = self.deps.clock.now();
        let mut report = ReapReport::default();
        for (status, limit, slot) in [
            (
                CallStatus::Connecting,
                policy.connecting,
                &mut report.connecting,
            ),
            (CallStatus::Active, policy.active, &mut report.active),
            (
                CallStatus::Initiated,
                policy.initiated,
                &mut report.initiated,
            ),
        ] {
            let reason = format!(
                "no end reported: {status} for longer than {}s",
                limit.as_secs()
            );
            let started_before = TimeDelta::from_std(limit)
                .ok()
                .and_then(|limit| now.checked_sub_signed(limit))
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            *slot = self
                .deps
                .sweeps
                .fail_stale(status, started_before, &reason, now)
                .await?;
        }
        if report.total() > 0 {
            tracing::warn!(
                connecting = report.connecting,
                active = report.active,
                initiated = report.initiated,
                "stale calls failed"
            );
        }
        Ok(report)
    }
}
