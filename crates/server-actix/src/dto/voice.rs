//! Bodies of `POST /api/calls/initiate`, `POST /api/calls/terminate` and `POST /api/voice/token`.

use calls_core::domain::Call;
use calls_core::ports::BrowserToken;
use calls_core::services::InitiatedCall;
use serde::{Deserialize, Serialize};

use super::time::rfc3339_utc;

#[derive(Debug, Deserialize)]
pub struct InitiateCallRequest {
    pub phone_number: String,
}

/// `session_id` and `sdp_offer` are `null` when the browser dials through the provider's SDK
/// (the session id arrives later from the provider); `voice_token` is only present then.
#[derive(Debug, Serialize)]
pub struct InitiateCallResponse {
    pub call_id: String,
    pub session_id: Option<String>,
    pub sdp_offer: Option<String>,
    pub status: &'static str,
    pub start_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_token: Option<String>,
}

impl From<InitiatedCall> for InitiateCallResponse {
    fn from(started: InitiatedCall) -> Self {
        Self {
            call_id: started.call.id.to_string(),
            session_id: started.session_id,
            sdp_offer: started.sdp_offer,
            status: started.call.status.as_str(),
            start_time: rfc3339_utc(started.call.start_time),
            voice_token: started.voice_token,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TerminateCallRequest {
    pub call_id: String,
}

#[derive(Debug, Serialize)]
pub struct TerminateCallResponse {
    pub call_id: String,
    pub duration: u32,
    pub status: &'static str,
}

impl From<Call> for TerminateCallResponse {
    fn from(call: Call) -> Self {
        Self {
            call_id: call.id.to_string(),
            duration: call.duration,
            status: call.status.as_str(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VoiceTokenResponse {
    pub token: String,
    pub identity: String,
}

impl From<BrowserToken> for VoiceTokenResponse {
    fn from(token: BrowserToken) -> Self {
        Self {
            token: token.token,
            identity: token.identity,
        }
    }
}
