//! What the voice provider tells us about calls (through its webhooks): a browser asking to dial,
//! a placed call answered, and progress reports.

use chrono::{DateTime, TimeDelta, Utc};

use super::report_rules::{Decision, Effect, Unchanged, decide};
use super::{LinkError, VoiceService};
use crate::domain::{Call, CallId, CallStatus, PhoneNumber, StatusChange, UserId};
use crate::ports::{ApplyReportError, CallProgress, ProviderReport, StorageError, TransitionError};

/// How often a report is decided anew when the call keeps changing under it.
const MAX_REPORT_ATTEMPTS: usize = 5;

/// What a report did. Reports are applied at most once and never move a call backwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportOutcome {
    Applied(Call),
    /// The call was already `completed`; only the provider's duration was taken.
    DurationSettled,
    /// Recorded, but the status may not move back and the duration stays.
    Ignored {
        current: CallStatus,
    },
    /// A repeat, or a report that arrived after a later one of the same leg: nothing changed.
    Stale,
    UnknownCall,
}

/// The decision on a browser's request to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialDecision {
    /// Dial `number` for our call `call_id`.
    Dial {
        number: PhoneNumber,
        call_id: CallId,
    },
    Refuse(LinkError),
}

/// The decision on a call we placed that was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacedCallDecision {
    /// Our record is unfinished: keep the call up.
    Keep,
    /// Hang up without a word.
    HangUp,
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
            Ok((number, call_id)) => DialDecision::Dial { number, call_id },
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
    ) -> Result<(PhoneNumber, CallId), LinkError> {
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
                Ok((number, linked.id))
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
            Ok(_) => Ok((number, pending.id)),
            Err(TransitionError::Storage(err)) => Err(err.into()),
            // Ended (by the user or the reaper) since we read it.
            Err(TransitionError::Refused { .. } | TransitionError::NotFound) => {
                Err(LinkError::NoPendingCall)
            }
        }
    }

    /// A call we placed ourselves (REST mode) was answered under the provider's id
    /// `session_id`; `call_id` is ours, from the URL we gave the provider. It is kept while our
    /// record is unfinished. Otherwise it is hung up without a word (the callee is a stranger
    /// to whom nothing is to be explained), and a call we have finished is also ended through
    /// the provider's API at once, in the background, should the hang-up not take.
    pub async fn placed_call_answered(
        &self,
        session_id: &str,
        call_id: Option<CallId>,
    ) -> Result<PlacedCallDecision, StorageError> {
        let call = match call_id {
            Some(id) => self.deps.calls.get(id).await?.filter(|call| {
                call.session_id
                    .as_deref()
                    .is_none_or(|stored| stored == session_id)
            }),
            None => self.deps.calls.find_by_session_id(session_id).await?,
        };
        let Some(call) = call else {
            tracing::warn!(
                call_sid = session_id,
                "a placed call we do not know was answered"
            );
            return Ok(PlacedCallDecision::HangUp);
        };
        if !call.status.is_finished() {
            return Ok(PlacedCallDecision::Keep);
        }
        tracing::warn!(call_id = %call.id, status = %call.status,
            "a call we had already finished was answered; hanging up");
        self.cancel_in_background(call.id, session_id.to_owned(), CallProgress::Answered);
        Ok(PlacedCallDecision::HangUp)
    }

    /// Applies a provider report to the call it is about: at most once per report, forward
    /// only, by the rules of [`report_rules`](super::report_rules). Racing reports of one call
    /// are applied one after the other, each decided on what the other wrote.
    pub async fn report(&self, report: ProviderReport) -> Result<ReportOutcome, StorageError> {
        let Some(id) = self.call_of_report(&report).await? else {
            return Ok(ReportOutcome::UnknownCall);
        };
        for _ in 0..MAX_REPORT_ATTEMPTS {
            let Some(state) = self.deps.calls.report_state(id).await? else {
                return Ok(ReportOutcome::UnknownCall);
            };
            let now = self.deps.clock.now();
            let (update, effect, cancel) = match decide(&state.call, &state.ledger, &report, now) {
                Decision::Unchanged(Unchanged::Stale) => return Ok(ReportOutcome::Stale),
                Decision::Unchanged(Unchanged::ForeignLeg) => {
                    tracing::warn!(call_id = %id, "a report about another provider call ignored");
                    return Ok(ReportOutcome::UnknownCall);
                }
                Decision::Write {
                    update,
                    effect,
                    cancel,
                } => (update, effect, cancel),
            };
            match self
                .deps
                .calls
                .apply_report(id, state.guard(), update)
                .await
            {
                Ok(call) => {
                    if let Some(progress) = cancel {
                        tracing::warn!(call_id = %id, status = %call.status,
                            "the provider reports a call we had already finished; ending it there");
                        self.cancel_in_background(id, report.session_id.clone(), progress);
                    }
                    return Ok(match effect {
                        Effect::Moved => ReportOutcome::Applied(call),
                        Effect::DurationSettled => ReportOutcome::DurationSettled,
                        Effect::Ignored => ReportOutcome::Ignored {
                            current: call.status,
                        },
                    });
                }
                Err(ApplyReportError::Changed) => {}
                Err(ApplyReportError::NotFound) => return Ok(ReportOutcome::UnknownCall),
                Err(ApplyReportError::Storage(err)) => return Err(err),
            }
        }
        Err(StorageError::unexpected(format!(
            "call {id} kept changing while a provider report was applied"
        )))
    }

    /// Our id of the call a report is about: the one in the report's URL, else the one the
    /// provider knows by the report's session id or, for a dialled leg, by its parent's.
    async fn call_of_report(
        &self,
        report: &ProviderReport,
    ) -> Result<Option<CallId>, StorageError> {
        if let Some(id) = report.call_id
            && self.deps.calls.get(id).await?.is_some()
        {
            return Ok(Some(id));
        }
        if let Some(call) = self
            .deps
            .calls
            .find_by_session_id(&report.session_id)
            .await?
        {
            return Ok(Some(call.id));
        }
        match &report.parent_session_id {
            Some(parent) => Ok(self
                .deps
                .calls
                .find_by_session_id(parent)
                .await?
                .map(|call| call.id)),
            None => Ok(None),
        }
    }
}
