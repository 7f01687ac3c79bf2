//! What the voice provider tells us about calls (through its webhooks): a browser asking to dial,
//! a placed call answered, and progress reports.

use chrono::{DateTime, TimeDelta, Utc};

use super::terminate::elapsed_seconds;
use super::{LinkError, VoiceService};
use crate::domain::{Call, CallStatus, PhoneNumber, StatusChange, UserId};
use crate::ports::{ProviderReport, StorageError, TransitionError};

/// What a report did. Reports are applied at most once and never move a call backwards, so
/// repeated or late ones are [`ReportOutcome::Ignored`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportOutcome {
    Applied(Call),
    /// The call was already `completed` (the user hung up first); only the provider's duration
    /// was taken.
    DurationSettled,
    Ignored {
        current: CallStatus,
    },
    UnknownCall,
}

/// The decision on a browser's request to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialDecision {
    Dial(PhoneNumber),
    Refuse(LinkError),
}

impl VoiceService {
    /// The provider asks what to do with a call the browser placed through its SDK, as `caller`
    /// (`None`: not one of our users) to `to`, under the provider's id `session_id`. The call is
    /// dialled only if it passes the same checks as `initiate` and matches the number of the
    /// user's pending call, which is then linked to `session_id` so the user can end it and
    /// the provider's reports find it. Asking again for the same session gives the same answer.
    pub async fn link_browser_call(
        &self,
        caller: Option<UserId>,
        to: &str,
        session_id: &str,
    ) -> DialDecision {
        match self.try_link(caller, to, session_id).await {
            Ok(number) => DialDecision::Dial(number),
            Err(refusal) => {
                tracing::warn!(reason = %refusal, "browser call refused");
                DialDecision::Refuse(refusal)
            }
        }
    }

    async fn try_link(
        &self,
        caller: Option<UserId>,
        to: &str,
        session_id: &str,
    ) -> Result<PhoneNumber, LinkError> {
        let user_id = caller.ok_or(LinkError::UnknownCaller)?;
        let number = PhoneNumber::parse(to)?;
        self.deps.destinations.check(&number)?;
        let matches = |call: &Call| {
            call.user_id == user_id
                && !call.status.is_finished()
                && call.phone_number == number.as_e164()
        };

        if let Some(linked) = self.deps.calls.find_by_session_id(session_id).await? {
            return if matches(&linked) {
                Ok(number)
            } else {
                Err(LinkError::NoPendingCall)
            };
        }
        let since = TimeDelta::from_std(self.deps.link_window)
            .ok()
            .and_then(|window| self.deps.clock.now().checked_sub_signed(window))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let pending = self
            .deps
            .calls
            .find_pending_without_session(user_id, since)
            .await?
            .filter(matches)
            .ok_or(LinkError::NoPendingCall)?;
        let change = StatusChange::to(CallStatus::Connecting, self.deps.clock.now())
            .with_session(session_id.to_owned(), None);
        match self.deps.calls.transition(pending.id, change).await {
            Ok(_) => Ok(number),
            Err(TransitionError::Storage(err)) => Err(err.into()),
            // Ended (by the user or the reaper) since we read it.
            Err(TransitionError::Refused { .. } | TransitionError::NotFound) => {
                Err(LinkError::NoPendingCall)
            }
        }
    }

    /// Whether a call we placed ourselves (REST mode), answered now, is one we still want:
    /// the provider asks us what to do with it on answer.
    pub async fn placed_call_answered(&self, session_id: &str) -> Result<bool, StorageError> {
        Ok(self
            .deps
            .calls
            .find_by_session_id(session_id)
            .await?
            .is_some_and(|call| !call.status.is_finished()))
    }

    /// Applies a provider report to the call it is about, forward only.
    pub async fn report(&self, report: ProviderReport) -> Result<ReportOutcome, StorageError> {
        let Some(call) = self.call_of_report(&report).await? else {
            return Ok(ReportOutcome::UnknownCall);
        };
        let now = self.deps.clock.now();
        let mut change = StatusChange::to(report.status, now);
        if report.status == CallStatus::Completed {
            change.duration = Some(
                report
                    .duration
                    .unwrap_or_else(|| elapsed_seconds(call.start_time, now)),
            );
        } else if report.status.is_finished() {
            change = change.with_failure_reason(format!("provider reported {}", report.status));
        }
        match self.deps.calls.transition(call.id, change).await {
            Ok(updated) => Ok(ReportOutcome::Applied(updated)),
            Err(TransitionError::Refused { current, .. }) => {
                if current == CallStatus::Completed
                    && report.status == CallStatus::Completed
                    && let Some(duration) = report.duration
                    && self.deps.calls.settle_duration(call.id, duration).await?
                {
                    return Ok(ReportOutcome::DurationSettled);
                }
                Ok(ReportOutcome::Ignored { current })
            }
            Err(TransitionError::NotFound) => Ok(ReportOutcome::UnknownCall),
            Err(TransitionError::Storage(err)) => Err(err),
        }
    }

    async fn call_of_report(&self, report: &ProviderReport) -> Result<Option<Call>, StorageError> {
        if let Some(call) = self
            .deps
            .calls
            .find_by_session_id(&report.session_id)
            .await?
        {
            return Ok(Some(call));
        }
        match &report.parent_session_id {
            Some(parent) => self.deps.calls.find_by_session_id(parent).await,
            None => Ok(None),
        }
    }
}
