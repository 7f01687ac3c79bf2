//! Twilio's request signatures (`X-Twilio-Signature`), so our webhooks only act on requests that
//! really come from Twilio.
//!
//! Twilio signs with the account's auth token: HMAC-SHA1 over the full URL it requested (scheme,
//! host, path and query, exactly as configured) followed by every POST parameter, sorted by
//! name, each name immediately followed by its value; the result is base64-encoded. For a GET
//! the parameters are in the URL and the list is empty.
//!
//! Twilio signs some requests over the URL with the scheme's default port written out
//! (`https://host:443/...`) and some without, whichever form the URL was configured in; its own
//! validators accept both. [`url_forms`] gives exactly those two forms, never any other port.

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

/// The forms of `url` a signature may have been computed over: `url` itself and, when its port
/// is the scheme's default or absent, the same URL with that default port removed or written
/// out. A URL with another port has no second form.
pub fn url_forms(url: &str) -> Vec<String> {
    let mut forms = vec![url.to_owned()];
    let (scheme, default_port) = if url.starts_with("https://") {
        ("https://", "443")
    } else if url.starts_with("http://") {
        ("http://", "80")
    } else {
        return forms;
    };
    let rest = &url[scheme.len()..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_len);
    // The port is what follows the last ':' after the host (an IPv6 host is bracketed).
    let host_end = authority.rfind(']').map_or(0, |end| end + 1);
    let alternate = match authority[host_end..].rfind(':') {
        Some(colon) => {
            let (host, port) = authority.split_at(host_end + colon);
            (port[1..] == *default_port).then(|| host.to_owned())
        }
        None => Some(format!("{authority}:{default_port}")),
    };
    if let Some(authority) = alternate {
        forms.push(format!("{scheme}{authority}{tail}"));
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::url_forms;

    #[test]
    fn the_default_port_is_added_or_removed_and_no_other() {
        let cases: [(&str, &[&str]); 7] = [
            (
                "https://calls.example.com/api/voice/status?call_id=1",
                &[
                    "https://calls.example.com/api/voice/status?call_id=1",
                    "https://calls.example.com:443/api/voice/status?call_id=1",
                ],
            ),
            (
                "https://calls.example.com:443/api/voice/status",
                &[
                    "https://calls.example.com:443/api/voice/status",
                    "https://calls.example.com/api/voice/status",
                ],
            ),
            (
                "https://calls.example.com:8443/api/voice/status",
                &["https://calls.example.com:8443/api/voice/status"],
            ),
            (
                "http://127.0.0.1/x",
                &["http://127.0.0.1/x", "http://127.0.0.1:80/x"],
            ),
            ("http://127.0.0.1:443/x", &["http://127.0.0.1:443/x"]),
            (
                "https://[::1]/x",
                &["https://[::1]/x", "https://[::1]:443/x"],
            ),
            (
                "https://host.test",
                &["https://host.test", "https://host.test:443"],
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(url_forms(url), expected, "{url}");
        }
    }
}
