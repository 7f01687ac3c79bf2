//! Reading the hops that proxies record: `X-Forwarded-For` and RFC 7239 `Forwarded`.
//!
//! Both list the addresses a request passed through, the client first and the latest hop last;
//! each proxy appends the address it received the request from. Only what a trusted proxy
//! appended can be believed, so [`super::client`] walks these lists from the right.

use std::net::IpAddr;

/// One entry of a forwarding list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// An address (any port dropped).
    Address(IpAddr),
    /// `unknown`, an obfuscated identifier (`_hidden`), an element without `for=`, or an entry
    /// that is no address at all: the hop exists but does not say who it is.
    Unidentified,
}

/// `X-Forwarded-For` values (every header line, in order): `client, proxy1, proxy2`.
/// Entries may carry a port (`10.0.0.1:1234`, `[2001:db8::1]:1234`).
pub fn x_forwarded_for<'a>(values: impl Iterator<Item = &'a str>) -> Vec<Hop> {
    values
        .flat_map(|value| value.split(','))
        .map(|entry| node(entry.trim()))
        .collect()
}

/// The `for=` of every element of `Forwarded` values (every header line, in order), with the
/// `proto=` of the last element; `None` when the syntax is broken anywhere (the header is then
/// ignored as a whole: a list we cannot read cannot be walked).
pub fn forwarded<'a>(values: impl Iterator<Item = &'a str>) -> Option<ForwardedList> {
    let mut list = ForwardedList::default();
    for value in values {
        for element in split_outside_quotes(value, ',')? {
            let mut hop = Hop::Unidentified;
            let mut proto = None;
            for pair in split_outside_quotes(element, ';')? {
                let pair = pair.trim();
                if pair.is_empty() {
                    continue;
                }
                let (name, value) = pair.split_once('=')?;
                let value = unquote(value.trim())?;
                match name.trim().to_ascii_lowercase().as_str() {
                    "for" => hop = node(&value),
                    "proto" => proto = Some(value),
                    _ => {}
                }
            }
            list.hops.push(hop);
            list.last_proto = proto;
        }
    }
    Some(list)
}

/// What `Forwarded` says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ForwardedList {
    pub hops: Vec<Hop>,
    /// `proto=` of the right-most element (the one the nearest proxy wrote).
    pub last_proto: Option<String>,
}

/// An address with an optional port: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`,
/// `[2001:db8::1]`, `[2001:db8::1]:80` (an obfuscated port `:_x` too).
fn node(text: &str) -> Hop {
    let address = if let Some(rest) = text.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return Hop::Unidentified;
        };
        if !(after.is_empty() || is_port(after)) {
            return Hop::Unidentified;
        }
        inside.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
    } else if let Ok(ip) = text.parse::<IpAddr>() {
        Some(ip)
    } else {
        // IPv4 with a port; a bare IPv6 address was parsed above.
        text.rsplit_once(':')
            .filter(|(_, port)| is_port(&format!(":{port}")))
            .and_then(|(ip, _)| ip.parse::<std::net::Ipv4Addr>().ok())
            .map(IpAddr::V4)
    };
    match address {
        Some(ip) => Hop::Address(ip.to_canonical()),
        None => Hop::Unidentified,
    }
}

/// `:1234` or an obfuscated `:_abc`.
fn is_port(text: &str) -> bool {
    let Some(port) = text.strip_prefix(':') else {
        return false;
    };
    match port.strip_prefix('_') {
        Some(obfuscated) => {
            !obfuscated.is_empty()
                && obfuscated
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        }
        None => port.parse::<u16>().is_ok(),
    }
}

/// Splits on `separator` outside quoted strings; `None` for an unterminated quote.
fn split_outside_quotes(text: &str, separator: char) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            parts.push(&text[start..index]);
            start = index + c.len_utf8();
        }
    }
    if quoted {
        return None;
    }
    parts.push(&text[start..]);
    Some(parts)
}

/// A token, or a quoted string with its escapes resolved; `None` for a malformed quote.
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else {
        return (!value.contains('"')).then(|| value.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> Hop {
        Hop::Address(text.parse().expect("test address"))
    }

    const UNIDENTIFIED: Hop = Hop::Unidentified;

    #[test]
    fn x_forwarded_for_entries() {
        let cases: &[(&[&str], &[Hop])] = &[
            (&["1.2.3.4"], &[addr("1.2.3.4")]),
            (&["1.2.3.4, 10.0.0.1"], &[addr("1.2.3.4"), addr("10.0.0.1")]),
            (
                &["1.2.3.4", "10.0.0.1,10.0.0.2"],
                &[addr("1.2.3.4"), addr("10.0.0.1"), addr("10.0.0.2")],
            ),
            (&["1.2.3.4:5678"], &[addr("1.2.3.4")]),
            (&["2001:db8::1"], &[addr("2001:db8::1")]),
            (&["[2001:db8::1]:443"], &[addr("2001:db8::1")]),
            (&["[2001:db8::1]"], &[addr("2001:db8::1")]),
            (&["::ffff:1.2.3.4"], &[addr("1.2.3.4")]),
            (&["unknown, 1.2.3.4"], &[UNIDENTIFIED, addr("1.2.3.4")]),
            (&["garbage"], &[UNIDENTIFIED]),
            (
                &["1.2.3.4,,5.6.7.8"],
                &[addr("1.2.3.4"), UNIDENTIFIED, addr("5.6.7.8")],
            ),
            (&["1.2.3.4:99999"], &[UNIDENTIFIED]),
            (&["[2001:db8::1"], &[UNIDENTIFIED]),
            (&["[1.2.3.4]"], &[UNIDENTIFIED]),
            (&["1.2.3.4 5.6.7.8"], &[UNIDENTIFIED]),
        ];
        for (values, expected) in cases {
            assert_eq!(
                &x_forwarded_for(values.iter().copied()),
                expected,
                "{values:?}"
            );
        }
    }

    #[test]
    fn forwarded_elements() {
        let cases: &[(&[&str], &[Hop], Option<&str>)] = &[
            (
                &["for=192.0.2.60;proto=http;by=203.0.113.43"],
                &[addr("192.0.2.60")],
                Some("http"),
            ),
            (
                &["For=\"[2001:db8:cafe::17]:4711\""],
                &[addr("2001:db8:cafe::17")],
                None,
            ),
            (&["for=\"192.0.2.43:47011\""], &[addr("192.0.2.43")], None),
            (
                &["for=192.0.2.43, for=198.51.100.17;proto=https"],
                &[addr("192.0.2.43"), addr("198.51.100.17")],
                Some("https"),
            ),
            (
                &["for=192.0.2.43", "for=10.0.0.1"],
                &[addr("192.0.2.43"), addr("10.0.0.1")],
                None,
            ),
            (&["for=unknown"], &[UNIDENTIFIED], None),
            (
                &["for=_hidden, for=10.0.0.1"],
                &[UNIDENTIFIED, addr("10.0.0.1")],
                None,
            ),
            (
                &["for=\"[2001:db8::1]:_port\""],
                &[addr("2001:db8::1")],
                None,
            ),
            (&["proto=https;by=10.0.0.1"], &[UNIDENTIFIED], Some("https")),
            (&["for=\"a,b\";proto=https"], &[UNIDENTIFIED], Some("https")),
            (&["for=\"\\\"q\""], &[UNIDENTIFIED], None),
            (&["for=2001:db8::1"], &[addr("2001:db8::1")], None),
        ];
        for (values, hops, proto) in cases {
            let list = forwarded(values.iter().copied()).expect("well-formed");
            assert_eq!(&list.hops, hops, "{values:?}");
            assert_eq!(list.last_proto.as_deref(), *proto, "{values:?}");
        }
    }

    #[test]
    fn broken_forwarded_syntax_is_rejected_whole() {
        for values in [
            &["for=\"192.0.2.43"][..],
            &["for"],
            &["for=1.2.3.4;garbage"],
            &["for=1.2\"3"],
            &["for=1.2.3.4", "for=\"unterminated"],
        ] {
            assert_eq!(forwarded(values.iter().copied()), None, "{values:?}");
        }
    }
}
