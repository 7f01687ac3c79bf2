//! Call records.

use chrono::{DateTime, Utc};

use super::{CallId, CallStatus, PhoneNumber, UserId};

/// A call as stored. `phone_number` is the stored text: rows written by the legacy backend predate
/// strict validation, so it is not re-parsed on the way out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub id: CallId,
    pub user_id: UserId,
    pub phone_number: String,
    /// ISO 3166-1 alpha-2 region of the destination, derived when the call was created.
    pub country: Option<String>,
    pub start_time: DateTime<Utc>,
    /// Whole seconds.
    pub duration: u32,
    pub status: CallStatus,
    /// The voice provider's id for this call (Twilio `CallSid`, mock session id): stored with the
    /// call so that any server instance can end it.
    pub session_id: Option<String>,
    pub sdp_offer: Option<String>,
    /// Why a call ended as `failed`, for operators.
    pub failure_reason: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// What creating a call asks storage to insert.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub id: CallId,
    pub user_id: UserId,
    pub phone_number: PhoneNumber,
    pub start_time: DateTime<Utc>,
    pub status: CallStatus,
}

/// A guarded update of a call: storage applies it only if the stored status may become
/// `status` (see [`CallStatus::can_become`]), in the same statement, so racing updates can
/// never move a call backwards. `None` fields keep their stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: CallStatus,
    pub duration: Option<u32>,
    pub session_id: Option<String>,
    pub sdp_offer: Option<String>,
    pub failure_reason: Option<String>,
    /// When the change happened; becomes `ended_at` if `status` is a finished one.
    pub at: DateTime<Utc>,
}

impl StatusChange {
    pub fn to(status: CallStatus, at: DateTime<Utc>) -> Self {
        Self {
            status,
            duration: None,
            session_id: None,
            sdp_offer: None,
            failure_reason: None,
            at,
        }
    }

    pub fn with_duration(mut self, seconds: u32) -> Self {
        self.duration = Some(seconds);
        self
    }

    pub fn with_session(mut self, session_id: String, sdp_offer: Option<String>) -> Self {
        self.session_id = Some(session_id);
        self.sdp_offer = sdp_offer;
        self
    }

    pub fn with_failure_reason(mut self, reason: impl Into<String>) -> Self {
        self.failure_reason = Some(reason.into());
        self
    }

    /// The `ended_at` to store: set once, when the call reaches a finished status.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.status.is_finished().then_some(self.at)
    }
}
