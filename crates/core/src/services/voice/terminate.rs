//! Ending a call on the user's request.

use chrono::{DateTime, Utc};

use super::{TerminateError, VoiceService};
use crate::domain::{Call, CallId, CallStatus, StatusChange, UserId};
use crate::ports::{HangUpError, TransitionError};

impl VoiceService {
    /// Hangs up the user's own call at the provider and stores it as `completed` with the
    /// seconds since it started. Idempotent: a finished call is returned as stored, and the
    /// provider is not asked again. Errors: [`TerminateError::NotFound`],
    /// [`TerminateError::Forbidden`], [`TerminateError::ProviderUnavailable`] (nothing stored),
    /// or a storage failure.
    pub async fn terminate(
        &self,
        user_id: UserId,
        call_id: CallId,
    ) -> Result<Call, TerminateError> {
        let call = self
            .deps
            .calls
            .get(call_id)
            .await?
            .ok_or(TerminateError::NotFound)?;
        if call.user_id != user_id {
            return Err(TerminateError::Forbidden);
        }
        if call.status.is_finished() {
            return Ok(call);
        }
        if let Some(session_id) = &call.session_id {
            match self.deps.provider.hang_up(session_id).await {
                Ok(()) => {}
                // Already over at the provider (or never placed): nothing left to end there.
                Err(HangUpError::UnknownSession) => {
                    tracing::info!(call_id = %call.id, "the provider no longer knows the call");
                }
                Err(HangUpError::Unavailable(reason)) => {
                    return Err(TerminateError::ProviderUnavailable(reason));
                }
            }
        }
        let now = self.deps.clock.now();
        let change = StatusChange::to(CallStatus::Completed, now)
            .with_duration(elapsed_seconds(call.start_time, now));
        match self.deps.calls.transition(call.id, change).await {
            Ok(call) => Ok(call),
            // A provider report (or another terminate) finished it meanwhile: that is the
            // stored truth, and it is just as final.
            Err(TransitionError::Refused { .. }) => self
                .deps
                .calls
                .get(call.id)
                .await?
                .ok_or(TerminateError::NotFound),
            Err(TransitionError::NotFound) => Err(TerminateError::NotFound),
            Err(TransitionError::Storage(err)) => Err(err.into()),
        }
    }
}

/// Whole seconds from `start` to `end`, 0 if the clock went backwards.
pub(super) fn elapsed_seconds(start: DateTime<Utc>, end: DateTime<Utc>) -> u32 {
    u32::try_from((end - start).num_seconds().max(0)).unwrap_or(u32::MAX)
}
