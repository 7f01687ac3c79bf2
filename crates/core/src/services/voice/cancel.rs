//! Ending, at the provider, calls we have already given up on.
//!
//! When the provider is slow to answer a call's creation, `initiate` fails the call and tells
//! the user, but the provider may have placed it all the same: the callee's phone rings. The
//! provider's reports and questions about that call carry our call id, so they find the failed
//! record, and the call is ended there at once. In the background: the webhook that noticed must
//! answer the provider without waiting on the provider's own API.

use super::VoiceService;
use crate::domain::CallId;
use crate::ports::{CallProgress, HangUpError};

impl VoiceService {
    /// Asks the provider to end `session_id` (a leg of our call `call_id`) as `progress`
    /// requires, without waiting for the answer; the outcome is logged.
    pub(super) fn cancel_in_background(
        &self,
        call_id: CallId,
        session_id: String,
        progress: CallProgress,
    ) {
        let provider = self.deps.provider.clone();
        tokio::spawn(async move {
            match provider.cancel(&session_id, progress).await {
                Ok(()) => tracing::info!(%call_id, call_sid = %session_id, ?progress,
                    "provider call of a finished call ended"),
                Err(HangUpError::UnknownSession) => tracing::info!(%call_id,
                    call_sid = %session_id, "the provider no longer knows the call to end"),
                Err(HangUpError::Unavailable(reason)) => tracing::error!(%call_id,
                    call_sid = %session_id, %reason,
                    "could not end the provider call of a finished call; it may still ring"),
            }
        });
    }
}
