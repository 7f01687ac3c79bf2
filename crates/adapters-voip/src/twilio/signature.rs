//! Twilio's request signatures (`X-Twilio-Signature`), so our webhooks only act on requests that
//! really come from Twilio.
//!
//! Twilio signs with the account's auth token: HMAC-SHA1 over the full URL it requested (scheme,
//! host, path and query, exactly as configured) followed by every POST parameter, sorted by
//! name, each name immediately followed by its value; the result is base64-encoded. For a GET
//! the parameters are in the URL and the list is empty.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// The request header Twilio sends the signature in.
pub const HEADER: &str = "X-Twilio-Signature";

/// The signature Twilio would send for this request.
pub fn compute<K, V>(auth_token: &str, url: &str, params: &[(K, V)]) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
        // HMAC takes keys of any length; this cannot happen, and an empty signature never
        // verifies.
        return String::new();
    };
    mac.update(url.as_bytes());
    let mut sorted: Vec<(&str, &str)> = params
        .iter()
        .map(|(name, value)| (name.as_ref(), value.as_ref()))
        .collect();
    // By name; a repeated name's values in order too, as Twilio's own libraries do.
    sorted.sort_unstable();
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `header` (the `X-Twilio-Signature` value) is Twilio's signature of this request.
/// Compared in constant time, so the answer's timing reveals nothing about the right
/// signature. An empty auth token or header never verifies.
pub fn verify<K, V>(auth_token: &str, url: &str, params: &[(K, V)], header: &str) -> bool
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    if auth_token.is_empty() || header.is_empty() {
        return false;
    }
    let expected = compute(auth_token, url, params);
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(header.trim().as_bytes()))
}
