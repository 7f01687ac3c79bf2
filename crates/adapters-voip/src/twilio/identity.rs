//! The Voice SDK identity of a user, and back.
//!
//! Twilio client identities may hold letters, digits and `_` only, up to 121 characters. We use
//! `user_` and the user id's 32 hex digits: stable, unique, and reversible so the TwiML webhook
//! (whose `From` is `client:<identity>`) knows which user is calling.

use calls_core::domain::UserId;
use uuid::Uuid;

/// Twilio's limit for a client identity.
pub const MAX_IDENTITY_LEN: usize = 121;

const PREFIX: &str = "user_";
/// How Twilio names a Voice SDK caller in webhook `From`/`Caller` parameters.
const CLIENT_SCHEME: &str = "client:";

/// The identity of `user_id` in access tokens: `user_` + 32 lowercase hex digits.
pub fn identity_for_user(user_id: UserId) -> String {
    format!("{PREFIX}{}", user_id.as_uuid().simple())
}

/// The inverse of [`identity_for_user`]; `None` for anything it does not produce.
pub fn user_id_from_identity(identity: &str) -> Option<UserId> {
    let hex = identity.strip_prefix(PREFIX)?;
    let canonical = hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !canonical {
        return None;
    }
    Uuid::try_parse(hex).ok().map(UserId::from_uuid)
}

/// The user behind a webhook's `From` value `client:<identity>`; `None` for phone numbers and
/// foreign identities.
pub fn user_id_from_caller(from: &str) -> Option<UserId> {
    from.strip_prefix(CLIENT_SCHEME)
        .and_then(user_id_from_identity)
}

/// Whether `identity` is acceptable to Twilio at all.
pub fn is_valid_identity(identity: &str) -> bool {
    !identity.is_empty()
        && identity.len() <= MAX_IDENTITY_LEN
        && identity
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
