//! Twilio's request for TwiML when a call starts (`CallSid`, `Direction`, `From`, `To`): either
//! a call we placed through the REST API was answered (its URL carries our call id), or a
//! browser dials through the Voice SDK.

use calls_core::ports::{AnswerRequest, AnswerRequestError, WebhookRequest};

use super::identity::user_id_from_caller;
use super::params::Params;

/// Twilio's `Direction` for a call we placed through the REST API.
const PLACED_BY_US: &str = "outbound-api";

pub(crate) fn read(request: &WebhookRequest) -> Result<AnswerRequest, AnswerRequestError> {
    let params = Params(request);
    let session_id = params
        .required("CallSid", AnswerRequestError::Missing)?
        .to_owned();
    if params
        .field("Direction")
        .is_some_and(|direction| direction.starts_with(PLACED_BY_US))
    {
        let call_id = params
            .our_call_id()
            .map_err(|name| AnswerRequestError::Malformed {
                name,
                expected: "a call id",
            })?;
        return Ok(AnswerRequest::PlacedCallAnswered {
            session_id,
            call_id,
        });
    }
    Ok(AnswerRequest::BrowserDial {
        caller: params.field("From").and_then(user_id_from_caller),
        to: params.field("To").unwrap_or_default().to_owned(),
        session_id,
    })
}
