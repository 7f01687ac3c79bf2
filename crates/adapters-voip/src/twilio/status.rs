//! Twilio's call statuses in our terms.

use calls_core::domain::CallStatus;

/// Maps a `CallStatus` (or `CallStatusCallbackEvent`) value from a Twilio status callback to
/// ours. `None` for values Twilio may add later: the caller should then leave the call as is
/// rather than guess.
pub fn map_twilio_status(status: &str) -> Option<CallStatus> {
    match status.trim().to_ascii_lowercase().as_str() {
        "queued" | "initiated" | "ringing" => Some(CallStatus::Connecting),
        "in-progress" | "answered" => Some(CallStatus::Active),
        "completed" => Some(CallStatus::Completed),
        "busy" | "no-answer" | "failed" => Some(CallStatus::Failed),
        "canceled" => Some(CallStatus::Canceled),
        _ => None,
    }
}
