//! Starting a call: the guards, the record, the provider session.

use chrono::TimeDelta;

use super::{InitiateError, VoiceService};
use crate::domain::{Call, CallId, CallStatus, NewCall, PhoneNumber, StatusChange, UserId};
use crate::ports::{CreateCallError, OutboundCall, ProviderSession, StartCallError, error_chain};

/// A started call and what the browser needs to join it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiatedCall {
    pub call: Call,
    /// The provider's id; `None` until the provider reports it when the browser dials itself.
    pub session_id: Option<String>,
    pub sdp_offer: Option<String>,
    /// For the provider's browser SDK, when the browser must dial through it.
    pub voice_token: Option<String>,
}

const DAY: TimeDelta = TimeDelta::hours(24);

impl VoiceService {
    /// Checks the number and the user's limits, records a `connecting` call and opens the
    /// provider session. Refusals before the record ([`InitiateError::InvalidNumber`],
    /// [`InitiateError::DestinationNotAllowed`], [`InitiateError::CallInProgress`],
    /// [`InitiateError::DailyLimitReached`]) change nothing and send nothing to the provider. A
    /// provider failure leaves the record `failed` with the reason, never `connecting`.
    pub async fn initiate(
        &self,
        user_id: UserId,
        phone_number: &str,
    ) -> Result<InitiatedCall, InitiateError> {
        let number = PhoneNumber::parse(phone_number)?;
        self.deps.destinations.check(&number)?;
        self.check_limits(user_id, 0).await?;

        let call = self.record_connecting(user_id, &number).await?;
        // Two initiates racing past the check above both inserted; recount with this call
        // included and give up this one if it is over the limit.
        if let Err(refusal) = self.check_limits(user_id, 1).await {
            self.close(&call, CallStatus::Canceled, "refused: call limit reached")
                .await;
            return Err(refusal);
        }

        let outbound = OutboundCall {
            call_id: call.id,
            user_id,
            to: number.clone(),
        };
        let session = match tokio::time::timeout(
            self.deps.provider_timeout,
            self.deps.provider.start_call(outbound),
        )
        .await
        {
            Ok(Ok(session)) => session,
            Ok(Err(refusal)) => return Err(self.provider_refused(&call, refusal).await),
            Err(_elapsed) => {
                let reason = format!(
                    "no answer from the voice provider within {} ms",
                    self.deps.provider_timeout.as_millis()
                );
                self.close(&call, CallStatus::Failed, &reason).await;
                return Err(InitiateError::ProviderUnavailable(reason));
            }
        };
        let call = self.store_session(call, &session).await?;
        tracing::info!(call_id = %call.id, to = %number.masked(), "call initiated");
        Ok(InitiatedCall {
            call,
            session_id: session.session_id,
            sdp_offer: session.sdp_offer,
            voice_token: session.voice_token,
        })
    }

    /// `already_counted` is how many of the user's calls the caller just inserted itself.
    async fn check_limits(
        &self,
        user_id: UserId,
        already_counted: u64,
    ) -> Result<(), InitiateError> {
        let limits = &self.deps.limits;
        let in_progress = self.deps.usage.count_in_progress(user_id).await?;
        if in_progress > limits.max_in_progress.saturating_sub(1) + already_counted {
            return Err(InitiateError::CallInProgress {
                limit: limits.max_in_progress,
            });
        }
        if let Some(limit) = limits.max_per_day {
            let since = self.deps.clock.now() - DAY;
            let today = self.deps.usage.count_started_since(user_id, since).await?;
            if today > limit.saturating_sub(1) + already_counted {
                return Err(InitiateError::DailyLimitReached { limit });
            }
        }
        Ok(())
    }

    async fn record_connecting(
        &self,
        user_id: UserId,
        number: &PhoneNumber,
    ) -> Result<Call, InitiateError> {
        let new_call = NewCall {
            id: CallId::new(),
            user_id,
            phone_number: number.clone(),
            start_time: self.deps.clock.now(),
            status: CallStatus::Connecting,
        };
        self.deps
            .calls
            .create(new_call)
            .await
            .map_err(|err| match err {
                CreateCallError::UnknownUser => InitiateError::UnknownUser,
                CreateCallError::Storage(err) => InitiateError::Storage(err),
            })
    }

    async fn provider_refused(&self, call: &Call, refusal: StartCallError) -> InitiateError {
        let (reason, error) = match refusal {
            StartCallError::InvalidNumber(detail) => (
                format!("provider refused the number: {detail}"),
                InitiateError::ProviderRefusedNumber(detail),
            ),
            StartCallError::DestinationRefused(detail) => (
                format!("provider refused the destination: {detail}"),
                InitiateError::ProviderRefusedDestination(detail),
            ),
            StartCallError::Unavailable(detail) => (
                format!("provider unavailable: {detail}"),
                InitiateError::ProviderUnavailable(detail),
            ),
        };
        self.close(call, CallStatus::Failed, &reason).await;
        error
    }

    /// Stores the provider's session with the call. If that fails the provider call would run
    /// with nobody able to end it, so it is hung up before the error is returned.
    async fn store_session(
        &self,
        call: Call,
        session: &ProviderSession,
    ) -> Result<Call, InitiateError> {
        let mut change = StatusChange::to(CallStatus::Connecting, self.deps.clock.now());
        change.session_id.clone_from(&session.session_id);
        change.sdp_offer.clone_from(&session.sdp_offer);
        if change.session_id.is_none() && change.sdp_offer.is_none() {
            return Ok(call);
        }
        match self.deps.calls.transition(call.id, change).await {
            Ok(stored) => Ok(stored),
            Err(err) => {
                if let Some(session_id) = &session.session_id
                    && let Err(hang_up) = self.deps.provider.hang_up(session_id).await
                {
                    tracing::error!(call_id = %call.id, error = %hang_up,
                        "could not hang up a call whose session could not be stored");
                }
                tracing::error!(call_id = %call.id, error = %error_chain(&err), "could not store the provider session");
                Err(match err {
                    crate::ports::TransitionError::Storage(err) => InitiateError::Storage(err),
                    other => InitiateError::Storage(crate::ports::StorageError::unexpected(
                        other.to_string(),
                    )),
                })
            }
        }
    }

    /// Ends `call` as `status` with `reason`. Best effort: the error that led here is what the
    /// caller must hear about, and the reaper fails the call later if this write is lost.
    pub(super) async fn close(&self, call: &Call, status: CallStatus, reason: &str) {
        let change = StatusChange::to(status, self.deps.clock.now()).with_failure_reason(reason);
        if let Err(err) = self.deps.calls.transition(call.id, change).await {
            tracing::error!(call_id = %call.id, error = %error_chain(&err), %reason, "could not close a call");
        }
    }
}
