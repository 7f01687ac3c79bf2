//! The REST operations on Twilio's Calls resource: placing a call, and ending it (hanging up,
//! or cancelling one that has not been answered).

use calls_core::ports::{CallProgress, HangUpError, StartCallError};
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

/// Twilio's `Status` values for ending a call (`call_enum_update_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Ends the call whatever state it is in.
    Completed,
    /// Ends a queued or ringing call; one already answered is left alone.
    Canceled,
}

impl Ending {
    /// How to end a call the platform gave up on: cancelled while it rings (so it never
    /// connects), hung up once answered.
    pub fn for_progress(progress: CallProgress) -> Self {
        match progress {
            CallProgress::NotAnswered => Self::Canceled,
            CallProgress::Answered => Self::Completed,
        }
    }

    fn status(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Canceled => "canceled",
        }
    }
}

/// `POST /Accounts/{AccountSid}/Calls/{CallSid}.json` with `Status` as `ending` says. Safe to
/// repeat, so transient failures are retried.
pub(crate) async fn end(
    client: &TwilioClient,
    call_sid: &str,
    ending: Ending,
) -> Result<(), HangUpError> {
    // Not a call SID: Twilio cannot know it, and it must not reach the URL path unchecked.
    if !is_call_sid(call_sid) {
        return Err(HangUpError::UnknownSession);
    }
    let url = client.account_url(&format!("Calls/{call_sid}.json"));
    match client
        .post_form::<IgnoredAny>(
            &url,
            &[("Status", ending.status())],
            Idempotency::Idempotent,
        )
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
