//! A user's own data, as the account export hands it out: the account and every stored call.

use chrono::{DateTime, Utc};

use super::{CallId, CallStatus, Email, User, UserId};

/// The account as the export shows it: what the users table holds that is the user's, never
/// the password hash (a hash is a secret of the login, not data the user gave us).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportProfile {
    pub id: UserId,
    pub email: Email,
    pub created_at: DateTime<Utc>,
}

impl From<User> for ExportProfile {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            created_at: user.created_at,
        }
    }
}

/// One call with every column stored for it that concerns the user, including what the
/// history leaves out (the provider's ids, the SDP, why it failed, when it ended). The report
/// ledger's sequence numbers and version are bookkeeping of the webhook handling, not data about
/// the call, and stay out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedCall {
    pub id: CallId,
    pub phone_number: String,
    /// ISO 3166-1 alpha-2 region of the destination, when known.
    pub country: Option<String>,
    pub start_time: DateTime<Utc>,
    /// When the record was written; `None` on rows the Go backend wrote without it.
    pub created_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Whole seconds.
    pub duration: u32,
    pub status: CallStatus,
    /// The provider's id of the browser's leg (Twilio `CallSid`, mock session id).
    pub session_id: Option<String>,
    /// The provider's id of the dialled leg, when the provider reported one.
    pub dialled_session_id: Option<String>,
    pub sdp_offer: Option<String>,
    /// Written only by the Go backend.
    pub sdp_answer: Option<String>,
    pub failure_reason: Option<String>,
}

impl ExportedCall {
    /// Where the next page starts: strictly after this call in the export's order.
    pub fn position(&self) -> ExportPosition {
        ExportPosition {
            start_time: self.start_time,
            id: self.id,
        }
    }
}

/// A place in the export's order, newest first: `(start_time DESC, id DESC)`, the order of the
/// index `(user_id, start_time DESC, id DESC)`. Both parts never change once a call is stored,
/// so a page that starts after a position neither repeats nor skips a call, whatever is written
/// meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportPosition {
    pub start_time: DateTime<Utc>,
    pub id: CallId,
}
