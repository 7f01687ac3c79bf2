//! The two REST operations on Twilio's Calls resource: placing a call and ending it.

use calls_core::ports::{HangUpError, StartCallError};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::client::TwilioClient;
use super::errors::{hang_up_result, start_call_error};
use super::retry::Idempotency;
use super::twiml::STATUS_CALLBACK_EVENTS;

/// What we read from Twilio's Call resource.
#[derive(Deserialize)]
struct CallResource {
    sid: String,
}

/// Where Twilio should send the call once it is placed.
pub(crate) struct NewCall<'a> {
    pub to: &'a str,
    pub from: &'a str,
    /// Our TwiML webhook, which Twilio asks what to do once the callee answers.
    pub twiml_url: &'a str,
    pub status_callback_url: &'a str,
    pub ring_timeout_secs: u64,
}

/// `POST /Accounts/{AccountSid}/Calls.json`; returns the new call's SID. Only retried when
/// rate limited: anything else may have placed the call already.
pub(crate) async fn create(
    client: &TwilioClient,
    call: NewCall<'_>,
) -> Result<String, StartCallError> {
    let url = client.account_url("Calls.json");
    let timeout = call.ring_timeout_secs.to_string();
    let mut form = vec![
        ("To", call.to),
        ("From", call.from),
        ("Url", call.twiml_url),
        ("Method", "POST"),
        ("StatusCallback", call.status_callback_url),
        ("StatusCallbackMethod", "POST"),
    ];
    form.extend(STATUS_CALLBACK_EVENTS.map(|event| ("StatusCallbackEvent", event)));
    form.push(("Timeout", &timeout));

    let created: CallResource = client
        .post_form(&url, &form, Idempotency::CreatesResource)
        .await
        .map_err(start_call_error)?;
    if !is_call_sid(&created.sid) {
        tracing::error!("Twilio answered a call creation with an unexpected call SID");
        return Err(StartCallError::Unavailable(
            "unexpected answer from Twilio".to_owned(),
        ));
    }
    Ok(created.sid)
}

/// `POST /Accounts/{AccountSid}/Calls/{CallSid}.json` with `Status=completed`, which ends the
/// call whatever state it is in. Safe to repeat, so transient failures are retried.
pub(crate) async fn hang_up(client: &TwilioClient, call_sid: &str) -> Result<(), HangUpError> {
    // Not a call SID: Twilio cannot know it, and it must not reach the URL path unchecked.
    if !is_call_sid(call_sid) {
        return Err(HangUpError::UnknownSession);
    }
    let url = client.account_url(&format!("Calls/{call_sid}.json"));
    match client
        .post_form::<IgnoredAny>(&url, &[("Status", "completed")], Idempotency::Idempotent)
        .await
    {
        Ok(_) => Ok(()),
        Err(failure) => hang_up_result(failure),
    }
}

/// Whether `sid` has the shape of a Twilio call SID: `CA` followed by 32 hex digits.
pub fn is_call_sid(sid: &str) -> bool {
    sid.len() == 34 && sid.starts_with("CA") && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())
}
