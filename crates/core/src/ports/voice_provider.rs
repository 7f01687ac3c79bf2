//! The telephony provider that actually places calls (Twilio, or a mock).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{CallId, PhoneNumber, UserId};

/// A call to place.
#[derive(Debug, Clone)]
pub struct OutboundCall {
    pub call_id: CallId,
    pub user_id: UserId,
    pub to: PhoneNumber,
}

/// What the provider answered for a placed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSession {
    /// The provider's id for the call (Twilio `CallSid`, mock session id). `None` when the
    /// browser places the call itself through the provider's SDK and the id arrives later by
    /// webhook.
    pub session_id: Option<String>,
    /// SDP offer for a WebRTC leg, when the provider has one.
    pub sdp_offer: Option<String>,
    /// Token the browser uses to connect through the provider's Voice SDK.
    pub voice_token: Option<String>,
}

/// A short-lived credential for the provider's browser SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserToken {
    pub token: String,
    pub identity: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartCallError {
    /// The provider refused the number as invalid.
    #[error("the provider refused the number: {0}")]
    InvalidNumber(String),
    /// The provider's own geographic permissions refuse the destination.
    #[error("the provider does not allow this destination: {0}")]
    DestinationRefused(String),
    /// Network error, timeout, provider outage, bad credentials.
    #[error("voice provider unavailable: {0}")]
    Unavailable(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HangUpError {
    #[error("the provider knows no such session")]
    UnknownSession,
    #[error("voice provider unavailable: {0}")]
    Unavailable(String),
}

/// How far a call the platform no longer wants has got at the provider, which decides how it is
/// ended there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallProgress {
    /// Queued or ringing: cancelled, so it never connects.
    NotAnswered,
    /// Answered: hung up.
    Answered,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait VoiceProvider: Send + Sync {
    /// Places a call (or prepares a browser-placed one). Errors as [`StartCallError`].
    async fn start_call(&self, call: OutboundCall) -> Result<ProviderSession, StartCallError>;

    /// Ends the call the provider knows as `session_id`. Errors as [`HangUpError`].
    async fn hang_up(&self, session_id: &str) -> Result<(), HangUpError>;

    /// Ends a call of the provider's that the platform has already given up on (it failed the
    /// call because the provider did not answer in time, say), as `progress` requires. Errors
    /// as [`HangUpError`]; a call that already ended is not an error.
    async fn cancel(&self, session_id: &str, progress: CallProgress) -> Result<(), HangUpError>;

    /// A browser SDK token for `user_id`, or `None` when the provider has no browser SDK
    /// configured.
    fn browser_token(&self, user_id: UserId, now: DateTime<Utc>) -> Option<BrowserToken>;
}
