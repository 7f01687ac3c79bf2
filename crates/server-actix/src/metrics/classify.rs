//! What a response says about the outside world: provider trouble and rate limits, read from
//! the [`ApiError`] a handler answered with (actix keeps it on the response), and the bounded
//! label values used for methods.

use std::sync::LazyLock;

use actix_web::http::{Method, StatusCode};
use calls_core::services::InitiateError;

use crate::error::ApiError;

/// The codes of 429 answers, counted from zero.
pub const RATE_LIMIT_CODES: [&str; 2] = ["rate_limited", "daily_limit_exceeded"];

/// The label of a 429 that carries no [`ApiError`] (none today).
const UNKNOWN_CODE: &str = "unknown";

/// How the voice provider failed, as seen by a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderErrorKind {
    /// Outage, timeout, bad credentials (503 `voip_unavailable`), when placing a call or
    /// hanging up.
    Unavailable,
    /// The provider refused the number as invalid (a 400).
    RefusedNumber,
    /// The provider's geographic permissions refused the destination (a 403).
    RefusedDestination,
}

impl ProviderErrorKind {
    pub const ALL: [ProviderErrorKind; 3] = [
        Self::Unavailable,
        Self::RefusedNumber,
        Self::RefusedDestination,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unavailable => "unavailable",
            Self::RefusedNumber => "refused_number",
            Self::RefusedDestination => "refused_destination",
        }
    }
}

/// The answers the error mapping gives to a provider's refusals. A refusal shares its code
/// with answers that are not the provider's (`validation_error`, `destination_not_allowed` for
/// the operator's own policy), so it is recognised by code and message, taken from the mapping
/// itself rather than copied here. Built with logging off: the mapping logs each refusal.
static PROVIDER_REFUSALS: LazyLock<[(ApiError, ProviderErrorKind); 2]> = LazyLock::new(|| {
    tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
        [
            (
                ApiError::from(InitiateError::ProviderRefusedNumber(String::new())),
                ProviderErrorKind::RefusedNumber,
            ),
            (
                ApiError::from(InitiateError::ProviderRefusedDestination(String::new())),
                ProviderErrorKind::RefusedDestination,
            ),
        ]
    })
});

/// The provider failure an error answer reports, if it reports one.
pub fn provider_error_kind(error: &ApiError) -> Option<ProviderErrorKind> {
    if error.code() == ApiError::voip_unavailable().code() {
        return Some(ProviderErrorKind::Unavailable);
    }
    PROVIDER_REFUSALS
        .iter()
        .find(|(refusal, _)| refusal.code() == error.code() && refusal.message() == error.message())
        .map(|(_, kind)| *kind)
}

/// The code label of a 429 answer.
pub fn rate_limit_code(error: Option<&ApiError>) -> &'static str {
    error.map_or(UNKNOWN_CODE, ApiError::code)
}

pub fn is_rate_limited(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
}

/// The method label: the standard methods by name, anything else (extension methods are
/// unbounded) as `other`.
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;
    use calls_core::domain::{DestinationRefusal, PhoneNumber};
    use calls_core::services::{InitiateError, TerminateError};

    use super::*;

    #[test]
    fn provider_failures_are_told_apart_from_look_alike_answers() {
        let cases = [
            (
                ApiError::from(InitiateError::ProviderUnavailable("timeout".to_owned())),
                Some(ProviderErrorKind::Unavailable),
            ),
            (
                ApiError::from(TerminateError::ProviderUnavailable("503".to_owned())),
                Some(ProviderErrorKind::Unavailable),
            ),
            (
                ApiError::from(InitiateError::ProviderRefusedNumber("21211".to_owned())),
                Some(ProviderErrorKind::RefusedNumber),
            ),
            (
                ApiError::from(InitiateError::ProviderRefusedDestination(
                    "21215".to_owned(),
                )),
                Some(ProviderErrorKind::RefusedDestination),
            ),
            (
                ApiError::from(InitiateError::InvalidNumber(
                    PhoneNumber::parse("+1").expect_err("invalid"),
                )),
                None,
            ),
            (
                ApiError::from(InitiateError::DestinationNotAllowed(
                    DestinationRefusal::CountryNotAllowed("XX".to_owned()),
                )),
                None,
            ),
            (
                ApiError::validation(crate::error::messages::PHONE_REQUIRED),
                None,
            ),
            (ApiError::voice_not_configured(), None),
            (ApiError::internal(), None),
        ];
        for (error, kind) in cases {
            assert_eq!(provider_error_kind(&error), kind, "{error}");
        }
    }

    #[test]
    fn rate_limit_codes_come_from_the_answer() {
        assert_eq!(
            rate_limit_code(Some(&ApiError::rate_limited(3))),
            "rate_limited"
        );
        assert_eq!(
            rate_limit_code(Some(&ApiError::from(InitiateError::DailyLimitReached {
                limit: 5
            }))),
            "daily_limit_exceeded"
        );
        assert_eq!(rate_limit_code(None), "unknown");
        for code in RATE_LIMIT_CODES {
            assert!(!code.is_empty());
        }
    }

    #[test]
    fn methods_are_a_bounded_set() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PUT), "PUT");
        assert_eq!(method_label(&Method::TRACE), "TRACE");
        let custom = Method::from_bytes(b"PURGE").expect("extension method");
        assert_eq!(method_label(&custom), "other");
    }
}
