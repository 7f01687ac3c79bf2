//! Real calls through the voice provider: starting and ending them, the provider's reports of
//! their progress, and the sweep of calls the provider never finished.
//!
//! Everything a later request needs (the provider's session id above all) is stored with the
//! call, never kept in this process: any instance can end a call another one started, also after
//! a restart.

mod cancel;
mod errors;
mod hang_up_all;
mod initiate;
mod provider_events;
mod reaper;
mod report_rules;
mod terminate;

use std::sync::Arc;
use std::time::Duration;

/// Re-exported: the use case's input, read from a webhook by the `ProviderWebhooks` port.
pub use crate::ports::ProviderReport;
pub use errors::{InitiateError, LinkError, TerminateError};
pub use initiate::InitiatedCall;
pub use provider_events::{DialDecision, PlacedCallDecision, ReportOutcome};
pub use reaper::{ReapReport, ReaperPolicy};

use crate::domain::{DestinationPolicy, UserId};
use crate::ports::{BrowserToken, CallRecords, CallSweeps, CallUsage, Clock, VoiceProvider};

/// The operator's limits on calling, against toll fraud and runaway clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLimits {
    /// Calls a user may have in progress (initiated, connecting or active) at once.
    pub max_in_progress: u64,
    /// Calls a user may start in any 24 hours; `None`: no cap.
    pub max_per_day: Option<u64>,
}

impl Default for CallLimits {
    fn default() -> Self {
        Self {
            max_in_progress: 1,
            max_per_day: None,
        }
    }
}

/// What [`VoiceService`] is built from.
pub struct VoiceDeps {
    pub calls: Arc<dyn CallRecords>,
    /// What the user has used, for [`CallLimits`].
    pub usage: Arc<dyn CallUsage>,
    /// The stale-call sweep of [`VoiceService::reap_stale_calls`].
    pub sweeps: Arc<dyn CallSweeps>,
    pub provider: Arc<dyn VoiceProvider>,
    pub clock: Arc<dyn Clock>,
    pub destinations: DestinationPolicy,
    pub limits: CallLimits,
    /// How long `initiate` waits for the provider before it gives up and fails the call.
    pub provider_timeout: Duration,
    /// How long after `initiate` a browser-placed call may still be linked to the provider's
    /// session when the provider asks what to dial.
    pub link_window: Duration,
}

#[derive(Clone)]
pub struct VoiceService {
    deps: Arc<VoiceDeps>,
}

impl std::fmt::Debug for VoiceService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceService")
            .field("destinations", &self.deps.destinations.to_string())
            .field("limits", &self.deps.limits)
            .finish_non_exhaustive()
    }
}

impl VoiceService {
    pub fn new(deps: VoiceDeps) -> Self {
        Self {
            deps: Arc::new(deps),
        }
    }

    /// A token for the provider's browser SDK, or `None` when the provider has none configured.
    pub fn browser_token(&self, user_id: UserId) -> Option<BrowserToken> {
        self.deps
            .provider
            .browser_token(user_id, self.deps.clock.now())
    }
}

#[cfg(test)]
mod report_tests;
#[cfg(test)]
mod tests;
