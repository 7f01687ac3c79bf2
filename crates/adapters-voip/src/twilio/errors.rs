//! Twilio's error answers and what they mean for the application.
//!
//! Twilio answers errors with JSON such as
//! `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`. The `code` is stable
//! and documented, so decisions are made on it; the HTTP status is the fallback.
//!
//! The messages we produce are our own: Twilio's may contain the dialled number, and these end
//! up in logs and in answers to the browser. Twilio's text is only logged, with numbers masked.

use std::time::Duration;

use calls_core::domain::mask_phone_number;
use calls_core::ports::{HangUpError, StartCallError};
use serde::Deserialize;

/// The number is not a valid phone number, or not one Twilio can dial.
const INVALID_NUMBER_CODES: [u32; 5] = [21211, 21214, 21217, 13223, 13224];
/// The account's geographic permissions do not allow the destination.
const GEO_PERMISSION_CODE: u32 = 21215;
/// Authentication failed: wrong account SID, auth token or API key.
const AUTHENTICATION_CODE: u32 = 20003;
/// The resource (here: the call) does not exist.
const NOT_FOUND_CODE: u32 = 20404;
/// Too many requests.
const RATE_LIMITED_CODE: u32 = 20429;
/// The call is not in a state that allows the update; for a hang-up, it has already ended.
const INVALID_CALL_STATE_CODE: u32 = 21220;

/// An error answer from Twilio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub http_status: u16,
    pub code: Option<u32>,
    pub message: Option<String>,
    /// From the `Retry-After` header, when Twilio sent one.
    pub retry_after: Option<Duration>,
    /// The settings the request's credentials come from (`VOIP_API_KEY_SID and ...`), for the
    /// log line when Twilio refuses them.
    pub credentials: &'static str,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<u32>,
    message: Option<String>,
}

impl ApiError {
    /// Reads Twilio's error body; a body that is not Twilio's JSON (a proxy's HTML page, say)
    /// leaves only the HTTP status to go on.
    pub fn from_response(
        http_status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
        credentials: &'static str,
    ) -> Self {
        let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
        let (code, message) = parsed.map_or((None, None), |body| (body.code, body.message));
        Self {
            http_status,
            code,
            message,
            retry_after,
            credentials,
        }
    }

    pub fn is_rate_limited(&self) -> bool {
        self.http_status == 429 || self.code == Some(RATE_LIMITED_CODE)
    }

    pub fn is_server_error(&self) -> bool {
        (500..=599).contains(&self.http_status)
    }

    fn is_authentication_failure(&self) -> bool {
        self.http_status == 401 || self.code == Some(AUTHENTICATION_CODE)
    }

    fn is_not_found(&self) -> bool {
        self.http_status == 404 || self.code == Some(NOT_FOUND_CODE)
    }

    /// For messages and logs: `Twilio error 21211 (HTTP 400)`.
    fn describe(&self) -> String {
        match self.code {
            Some(code) => format!("Twilio error {code} (HTTP {})", self.http_status),
            None => format!("Twilio answered HTTP {}", self.http_status),
        }
    }

    /// Twilio's own message with anything that looks like a phone number masked.
    fn redacted_message(&self) -> String {
        self.message
            .as_deref()
            .map(mask_numbers)
            .unwrap_or_default()
    }
}

/// Why a request to Twilio did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestFailure {
    /// Twilio answered with an error.
    Api(ApiError),
    /// No answer: timeout, connection refused, connection dropped.
    Transport(String),
    /// Twilio answered success but with a body we cannot read. Not retried: the request was
    /// processed.
    UnreadableAnswer(String),
}

/// What a failed call creation means for the application, logged for the operator.
pub(crate) fn start_call_error(failure: RequestFailure) -> StartCallError {
    let error = match failure {
        RequestFailure::Api(error) => error,
        RequestFailure::Transport(reason) => {
            tracing::warn!(%reason, "could not reach Twilio to place a call");
            return StartCallError::Unavailable(format!("could not reach Twilio: {reason}"));
        }
        RequestFailure::UnreadableAnswer(reason) => {
            tracing::error!(%reason, "unreadable answer from Twilio to a call creation");
            return StartCallError::Unavailable("unreadable answer from Twilio".to_owned());
        }
    };
    let described = error.describe();
    match error.code {
        Some(code) if INVALID_NUMBER_CODES.contains(&code) => {
            tracing::info!(code, message = %error.redacted_message(), "Twilio refused the number");
            StartCallError::InvalidNumber(format!("{described}: not a dialable phone number"))
        }
        Some(GEO_PERMISSION_CODE) => {
            tracing::warn!(
                message = %error.redacted_message(),
                "Twilio's geographic permissions refuse the destination; \
                 allow the country in the Twilio console or in VOIP_ALLOWED_COUNTRIES"
            );
            StartCallError::DestinationRefused(format!(
                "{described}: the account may not call this destination"
            ))
        }
        _ => StartCallError::Unavailable(log_unavailable(&error, "placing a call")),
    }
}

/// What a failed hang-up means: `Ok` when the call had already ended.
pub(crate) fn hang_up_result(failure: RequestFailure) -> Result<(), HangUpError> {
    let error = match failure {
        RequestFailure::Api(error) => error,
        RequestFailure::Transport(reason) => {
            tracing::warn!(%reason, "could not reach Twilio to end a call");
            return Err(HangUpError::Unavailable(format!(
                "could not reach Twilio: {reason}"
            )));
        }
        // Twilio processed the hang-up; only its echo of the call was unreadable.
        RequestFailure::UnreadableAnswer(reason) => {
            tracing::warn!(
                %reason,
                "unreadable answer from Twilio to a hang-up; assuming the call ended"
            );
            return Ok(());
        }
    };
    if error.is_not_found() {
        return Err(HangUpError::UnknownSession);
    }
    if error.code == Some(INVALID_CALL_STATE_CODE) {
        tracing::debug!("Twilio says the call is no longer in progress; nothing to hang up");
        return Ok(());
    }
    Err(HangUpError::Unavailable(log_unavailable(
        &error,
        "ending a call",
    )))
}

/// Any other error: logged for the operator (bad credentials loudly, since nothing will work
/// until they are fixed); returns the message for the "unavailable" error.
fn log_unavailable(error: &ApiError, doing: &str) -> String {
    let described = error.describe();
    if error.is_authentication_failure() {
        tracing::error!(
            code = error.code,
            http_status = error.http_status,
            "{}",
            authentication_failure_line(error, doing)
        );
        return format!("{described}: authentication failed");
    }
    if error.is_rate_limited() || error.is_server_error() {
        tracing::warn!(
            code = error.code,
            http_status = error.http_status,
            "Twilio unavailable while {doing}"
        );
    } else {
        tracing::error!(
            code = error.code,
            http_status = error.http_status,
            message = %error.redacted_message(),
            "unexpected error from Twilio while {doing}"
        );
    }
    described
}

/// The log line for refused credentials, naming the settings they came from.
fn authentication_failure_line(error: &ApiError, doing: &str) -> String {
    format!(
        "Twilio rejected our credentials while {doing}: check {}",
        error.credentials
    )
}

/// Masks every run of seven or more digits (with an optional leading `+`), keeping its last
/// four, so that Twilio's messages can be logged without the numbers they quote. Shorter runs,
/// such as Twilio's five-digit error codes, stay readable.
pub(crate) fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.bytes().filter(u8::is_ascii_digit).count();
        if digits >= 7 {
            out.push_str(&mask_phone_number(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(http_status: u16, code: Option<u32>) -> RequestFailure {
        RequestFailure::Api(ApiError {
            http_status,
            code,
            message: Some("The 'To' number +15005550001 is not valid".to_owned()),
            retry_after: None,
            credentials: "VOIP_ACCOUNT_SID and VOIP_AUTH_TOKEN",
        })
    }

    #[test]
    fn numbers_are_masked_in_twilio_messages() {
        assert_eq!(
            mask_numbers("The 'To' number +15005550001 is not valid (code 21211)"),
            "The 'To' number +*******0001 is not valid (code 21211)"
        );
        assert_eq!(mask_numbers("no digits"), "no digits");
        assert_eq!(mask_numbers("a+b 1234"), "a+b 1234");
    }

    #[test]
    fn error_bodies_are_parsed_and_non_json_tolerated() {
        let body = br#"{"code": 21211, "message": "bad", "more_info": "x", "status": 400}"#;
        let error = ApiError::from_response(400, body, None, "x");
        assert_eq!(error.code, Some(21211));
        assert_eq!(error.message.as_deref(), Some("bad"));
        let html = ApiError::from_response(502, b"<html>bad gateway</html>", None, "x");
        assert_eq!((html.code, html.message), (None, None));
    }

    #[test]
    fn start_call_errors_map_by_code() {
        for code in INVALID_NUMBER_CODES {
            assert!(matches!(
                start_call_error(api(400, Some(code))),
                StartCallError::InvalidNumber(_)
            ));
        }
        assert!(matches!(
            start_call_error(api(400, Some(21215))),
            StartCallError::DestinationRefused(_)
        ));
        for (status, code) in [
            (401, Some(20003)),
            (429, Some(20429)),
            (500, None),
            (400, Some(21205)),
        ] {
            assert!(matches!(
                start_call_error(api(status, code)),
                StartCallError::Unavailable(_)
            ));
        }
        let StartCallError::InvalidNumber(message) = start_call_error(api(400, Some(21211))) else {
            unreachable!("checked above");
        };
        assert!(!message.contains("5550001"), "{message}");
    }

    #[test]
    fn refused_credentials_are_named_by_the_settings_they_come_from() {
        for credentials in [
            "VOIP_API_KEY_SID and VOIP_API_KEY_SECRET",
            "VOIP_ACCOUNT_SID and VOIP_AUTH_TOKEN",
        ] {
            let error = ApiError::from_response(401, b"{\"code\": 20003}", None, credentials);
            assert_eq!(
                authentication_failure_line(&error, "placing a call"),
                format!(
                    "Twilio rejected our credentials while placing a call: check {credentials}"
                )
            );
        }
    }

    #[test]
    fn hang_up_errors_map_by_code() {
        assert_eq!(
            hang_up_result(api(404, Some(20404))),
            Err(HangUpError::UnknownSession)
        );
        assert_eq!(
            hang_up_result(api(404, None)),
            Err(HangUpError::UnknownSession)
        );
        assert_eq!(hang_up_result(api(400, Some(21220))), Ok(()));
        assert!(matches!(
            hang_up_result(api(401, Some(20003))),
            Err(HangUpError::Unavailable(_))
        ));
        assert!(matches!(
            hang_up_result(RequestFailure::Transport("timed out".to_owned())),
            Err(HangUpError::Unavailable(_))
        ));
    }
}
