//! Turns library errors into short, fixed refusal reasons.
//!
//! The library's messages can quote parts of the token (serde errors echo values); ours never
//! do, so a reason is always safe to log.

use calls_core::ports::TokenError;
use jsonwebtoken::errors::{Error, ErrorKind};

pub(crate) fn invalid(reason: &str) -> TokenError {
    TokenError::Invalid(reason.to_owned())
}

pub(crate) fn describe(error: &Error) -> &'static str {
    match error.kind() {
        ErrorKind::InvalidSignature => "signature does not match",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => "algorithm not allowed",
        ErrorKind::InvalidAudience => "unexpected audience",
        ErrorKind::MissingRequiredClaim(_) => "a required claim is missing",
        ErrorKind::InvalidClaimFormat(_) => "a claim has the wrong type",
        ErrorKind::Base64(_) => "not valid base64url",
        ErrorKind::Json(_) => "header or claims are not the expected JSON",
        ErrorKind::Utf8(_) => "not valid UTF-8",
        ErrorKind::InvalidToken => "not a compact JWS",
        _ => "rejected by the JWT library",
    }
}
