//! Who sent a request, and whether they used HTTPS: the TCP peer, unless the peer is a trusted
//! proxy, in which case what that proxy recorded.
//!
//! Rules (docs/OPERATIONS.md, section 2.2):
//! - an untrusted peer is the client, whatever headers it sends;
//! - from a trusted peer, `X-Forwarded-For` is read when present, else `Forwarded: for=`; the
//!   list is walked from the right (the entry the peer itself appended) and the first address
//!   that is not a trusted proxy is the client. Entries left of it were written by the client
//!   or by hops nobody vouches for, and are never read;
//! - an entry that names nobody (`unknown`, `_obfuscated`, garbage) stops the walk: the client
//!   is then the last address walked, the trusted proxy that could not say more;
//! - a `Forwarded` header whose syntax is broken is ignored: the client is the peer;
//! - every address in the list trusted: the left-most one is the client;
//! - HTTPS: the server's own TLS, or `X-Forwarded-Proto: https` (else the last `Forwarded`
//!   element's `proto=https`) from a trusted peer.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::header::{HeaderMap, HeaderName};
use actix_web::{HttpMessage, HttpRequest, web};

use super::TrustedProxies;
use super::headers::{Hop, forwarded, x_forwarded_for};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const FORWARDED: HeaderName = HeaderName::from_static("forwarded");

/// How requests reach this server: whom to believe, and whether it terminates TLS itself.
#[derive(Debug, Clone, Default)]
pub struct Forwarding {
    pub trusted_proxies: TrustedProxies,
    /// The server's own port speaks TLS (`server.tls.*`).
    pub native_tls: bool,
}

/// The client as far as the server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOrigin {
    pub ip: IpAddr,
    /// The client's request travelled over HTTPS (to us, or to the trusted proxy).
    pub https: bool,
}

/// The request's [`ClientOrigin`], worked out once per request and kept in its extensions.
/// Without [`Forwarding`] app data (tests of single handlers), the peer over plain HTTP.
pub fn client_origin(req: &HttpRequest) -> ClientOrigin {
    if let Some(origin) = req.extensions().get::<ClientOrigin>() {
        return *origin;
    }
    let peer = req
        .peer_addr()
        .map(|addr| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let origin = match req.app_data::<web::Data<Forwarding>>() {
        Some(forwarding) => resolve(peer, forwarding, req.headers()),
        None => ClientOrigin {
            ip: peer.to_canonical(),
            https: false,
        },
    };
    req.extensions_mut().insert(origin);
    origin
}

/// The pure rule, for `peer` and the request's `headers`.
pub fn resolve(peer: IpAddr, forwarding: &Forwarding, headers: &HeaderMap) -> ClientOrigin {
    let peer = peer.to_canonical();
    let trusted = &forwarding.trusted_proxies;
    if !trusted.contains(peer) {
        return ClientOrigin {
            ip: peer,
            https: forwarding.native_tls,
        };
    }
    let values = |name: &HeaderName| {
        headers
            .get_all(name)
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<&str>>()
    };
    let xff = values(&X_FORWARDED_FOR);
    let (hops, forwarded_proto) = if !xff.is_empty() {
        (x_forwarded_for(xff.into_iter()), None)
    } else {
        match forwarded(values(&FORWARDED).into_iter()) {
            Some(list) => (list.hops, list.last_proto),
            None => (Vec::new(), None),
        }
    };
    let proto = values(&X_FORWARDED_PROTO)
        .last()
        .and_then(|value| value.rsplit(',').next())
        .map(|value| value.trim().to_owned())
        .or(forwarded_proto);
    let https = forwarding.native_tls || proto.is_some_and(|p| p.eq_ignore_ascii_case("https"));
    ClientOrigin {
        ip: walk(peer, &hops, trusted),
        https,
    }
}

/// The client address from the right-most end of `hops`, `peer` being trusted.
fn walk(peer: IpAddr, hops: &[Hop], trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer;
    for hop in hops.iter().rev() {
        match *hop {
            Hop::Address(ip) => {
                client = ip;
                if !trusted.contains(ip) {
                    break;
                }
            }
            Hop::Unidentified => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    /// Header (name, value) pairs.
    type Pairs = &'static [(&'static str, &'static str)];
    /// (trusted, peer, headers, expected client)
    type AddressCase = (&'static [&'static str], &'static str, Pairs, &'static str);
    /// (trusted, native TLS, peer, headers, https)
    type HttpsCase = (&'static [&'static str], bool, &'static str, Pairs, bool);

    const PROXY: &[&str] = &["127.0.0.1", "10.0.0.0/8"];

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    fn forwarding(trusted: &[&str]) -> Forwarding {
        Forwarding {
            trusted_proxies: TrustedProxies::parse(trusted).expect("trusted"),
            native_tls: false,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        map
    }

    #[test]
    fn the_client_address_by_peer_trust_and_headers() {
        let cases: &[AddressCase] = &[
            // Nobody trusted: headers change nothing.
            (
                &[],
                "203.0.113.9",
                &[("x-forwarded-for", "1.1.1.1")],
                "203.0.113.9",
            ),
            (
                &[],
                "203.0.113.9",
                &[("forwarded", "for=1.1.1.1")],
                "203.0.113.9",
            ),
            // An untrusted peer forging headers.
            (
                PROXY,
                "203.0.113.9",
                &[("x-forwarded-for", "10.0.0.1")],
                "203.0.113.9",
            ),
            // A trusted peer without headers is the client.
            (PROXY, "127.0.0.1", &[], "127.0.0.1"),
            // Right-most untrusted entry wins; what the client wrote to its left is ignored.
            (
                PROXY,
                "127.0.0.1",
                &[("x-forwarded-for", "6.6.6.6, 198.51.100.7")],
                "198.51.100.7",
            ),
            (
                PROXY,
                "127.0.0.1",
                &[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.1.1")],
                "198.51.100.7",
            ),
            (
                PROXY,
                "127.0.0.1",
                &[
                    ("x-forwarded-for", "6.6.6.6"),
                    ("x-forwarded-for", "198.51.100.7"),
                ],
                "198.51.100.7",
            ),
            // Every entry trusted: the left-most.
            (
                PROXY,
                "127.0.0.1",
                &[("x-forwarded-for", "10.0.0.3, 10.0.0.2")],
                "10.0.0.3",
            ),
            // Names nobody: the last address walked.
            (
                PROXY,
                "127.0.0.1",
                &[("x-forwarded-for", "198.51.100.7, unknown")],
                "127.0.0.1",
            ),
            (
                PROXY,
                "127.0.0.1",
                &[("x-forwarded-for", "6.6.6.6, garbage, 10.0.0.2")],
                "10.0.0.2",
            ),
            (PROXY, "127.0.0.1", &[("x-forwarded-for", "")], "127.0.0.1"),
            // Forwarded, when there is no X-Forwarded-For.
            (
                PROXY,
                "127.0.0.1",
                &[("forwarded", "for=6.6.6.6, for=\"[2001:db8::7]:4711\"")],
                "2001:db8::7",
            ),
            (
                PROXY,
                "127.0.0.1",
                &[("forwarded", "for=6.6.6.6, for=_hidden")],
                "127.0.0.1",
            ),
            (
                PROXY,
                "127.0.0.1",
                &[("forwarded", "for=\"broken")],
                "127.0.0.1",
            ),
            // X-Forwarded-For wins over Forwarded (the shipped nginx sets one, clears the other).
            (
                PROXY,
                "127.0.0.1",
                &[
                    ("forwarded", "for=6.6.6.6"),
                    ("x-forwarded-for", "198.51.100.7"),
                ],
                "198.51.100.7",
            ),
            // IPv4-mapped peers and entries are IPv4.
            (
                PROXY,
                "::ffff:127.0.0.1",
                &[("x-forwarded-for", "::ffff:198.51.100.7")],
                "198.51.100.7",
            ),
        ];
        for (trusted, peer, pairs, expected) in cases {
            let origin = resolve(ip(peer), &forwarding(trusted), &headers(pairs));
            assert_eq!(origin.ip, ip(expected), "{trusted:?} {peer} {pairs:?}");
        }
    }

    #[test]
    fn https_by_native_tls_or_a_trusted_proxy_only() {
        let cases: &[HttpsCase] = &[
            (&[], false, "127.0.0.1", &[], false),
            (&[], true, "127.0.0.1", &[], true),
            (
                &[],
                false,
                "127.0.0.1",
                &[("x-forwarded-proto", "https")],
                false,
            ),
            (
                PROXY,
                false,
                "198.51.100.7",
                &[("x-forwarded-proto", "https")],
                false,
            ),
            (
                PROXY,
                false,
                "127.0.0.1",
                &[("x-forwarded-proto", "https")],
                true,
            ),
            (
                PROXY,
                false,
                "127.0.0.1",
                &[("x-forwarded-proto", "HTTPS")],
                true,
            ),
            (
                PROXY,
                false,
                "127.0.0.1",
                &[("x-forwarded-proto", "http")],
                false,
            ),
            (
                PROXY,
                false,
                "127.0.0.1",
                &[("x-forwarded-proto", "https, http")],
                false,
            ),
            (
                PROXY,
                false,
                "127.0.0.1",
                &[("forwarded", "for=1.2.3.4;proto=https")],
                true,
            ),
            (
                PROXY,
                true,
                "127.0.0.1",
                &[("x-forwarded-proto", "http")],
                true,
            ),
        ];
        for (trusted, tls, peer, pairs, https) in cases {
            let mut forwarding = forwarding(trusted);
            forwarding.native_tls = *tls;
            let origin = resolve(ip(peer), &forwarding, &headers(pairs));
            assert_eq!(
                origin.https, *https,
                "{trusted:?} tls={tls} {peer} {pairs:?}"
            );
        }
    }
}
