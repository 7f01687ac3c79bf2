//! The proxies whose forwarding headers the server believes: `server.trusted_proxies`
//! (`TRUSTED_PROXIES`), a list of addresses and CIDR ranges, IPv4 and IPv6.
//!
//! A small parser of our own rather than a crate: the whole job is "address/prefix" and a
//! masked comparison, and refusing a range with host bits set (`10.0.0.1/8`) catches the typo
//! that a lenient parser would silently widen.

use std::net::IpAddr;

/// One trusted address or range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                let mask = mask_u32(self.prefix);
                u32::from(ip) & mask == u32::from(network)
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                let mask = mask_u128(self.prefix);
                u128::from(ip) & mask == u128::from(network)
            }
            _ => false,
        }
    }
}

fn mask_u32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_u128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

/// Why an entry of `TRUSTED_PROXIES` was refused; the message quotes the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustedProxyError {
    #[error("'{0}' is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/24, fd00::/8)")]
    NotAnAddress(String),
    #[error("'{0}': the prefix length must be 0..=32 for IPv4 and 0..=128 for IPv6")]
    BadPrefix(String),
    #[error("'{entry}' has host bits set: did you mean {network}?")]
    HostBitsSet { entry: String, network: String },
}

/// The trusted proxies; empty (the default) trusts nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpRange>);

impl TrustedProxies {
    /// Parses every entry; blank entries are skipped. One bad entry refuses the whole list.
    pub fn parse<I, S>(entries: I) -> Result<Self, TrustedProxyError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut ranges = Vec::new();
        for raw in entries {
            let entry = raw.as_ref().trim();
            if !entry.is_empty() {
                ranges.push(parse_range(entry)?);
            }
        }
        Ok(Self(ranges))
    }

    /// Whether `ip` (IPv4-mapped IPv6 addresses count as IPv4) is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn parse_range(entry: &str) -> Result<IpRange, TrustedProxyError> {
    let not_an_address = || TrustedProxyError::NotAnAddress(entry.to_owned());
    let (address, prefix) = match entry.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (entry, None),
    };
    let address: IpAddr = address.parse().map_err(|_| not_an_address())?;
    let address = match prefix {
        // A lone address: a mapped IPv4 one is the IPv4 address.
        None => address.to_canonical(),
        Some(_) => address,
    };
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(text) => {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_an_address());
            }
            match text.parse::<u8>() {
                Ok(prefix) if prefix <= max => prefix,
                _ => return Err(TrustedProxyError::BadPrefix(entry.to_owned())),
            }
        }
    };
    let network = match address {
        IpAddr::V4(ip) => IpAddr::V4((u32::from(ip) & mask_u32(prefix)).into()),
        IpAddr::V6(ip) => IpAddr::V6((u128::from(ip) & mask_u128(prefix)).into()),
    };
    if network != address {
        return Err(TrustedProxyError::HostBitsSet {
            entry: entry.to_owned(),
            network: format!("{network}/{prefix}"),
        });
    }
    Ok(IpRange { network, prefix })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    #[test]
    fn entries_match_exactly_the_addresses_they_cover() {
        // (entry, addresses inside, addresses outside)
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "127.0.0.1",
                &["127.0.0.1", "::ffff:127.0.0.1"],
                &["127.0.0.2", "::1"],
            ),
            (
                "10.0.0.0/8",
                &["10.0.0.0", "10.255.255.255"],
                &["11.0.0.0", "9.255.255.255"],
            ),
            (
                "192.168.1.128/25",
                &["192.168.1.128", "192.168.1.255"],
                &["192.168.1.127"],
            ),
            ("0.0.0.0/0", &["1.2.3.4", "255.255.255.255"], &["::1"]),
            ("::1", &["::1"], &["::2", "127.0.0.1"]),
            (
                "fd00::/8",
                &["fd12:3456::1", "fdff::"],
                &["fe80::1", "fc00::1"],
            ),
            ("2001:db8::/32", &["2001:db8:ffff::1"], &["2001:db9::1"]),
            ("::/0", &["::", "2001:db8::1"], &["10.0.0.1"]),
            (
                "::ffff:10.0.0.7",
                &["10.0.0.7", "::ffff:10.0.0.7"],
                &["10.0.0.8"],
            ),
            ("10.1.2.3/32", &["10.1.2.3"], &["10.1.2.4"]),
        ];
        for (entry, inside, outside) in cases {
            let trusted = TrustedProxies::parse([entry]).expect(entry);
            for address in *inside {
                assert!(trusted.contains(ip(address)), "{entry} contains {address}");
            }
            for address in *outside {
                assert!(!trusted.contains(ip(address)), "{entry} excludes {address}");
            }
        }
    }

    /// (entry, the refusal expected)
    type RefusalCase = (&'static str, fn(&TrustedProxyError) -> bool);

    #[test]
    fn bad_entries_are_refused_and_quoted() {
        let cases: &[RefusalCase] = &[
            ("localhost", |e| {
                matches!(e, TrustedProxyError::NotAnAddress(_))
            }),
            ("10.0.0", |e| {
                matches!(e, TrustedProxyError::NotAnAddress(_))
            }),
            ("10.0.0.0/", |e| {
                matches!(e, TrustedProxyError::NotAnAddress(_))
            }),
            ("10.0.0.0/+8", |e| {
                matches!(e, TrustedProxyError::NotAnAddress(_))
            }),
            ("10.0.0.0/8/8", |e| {
                matches!(e, TrustedProxyError::NotAnAddress(_))
            }),
            ("[::1]", |e| matches!(e, TrustedProxyError::NotAnAddress(_))),
            ("10.0.0.1:80", |e| {
                matches!(e, TrustedProxyError::NotAnAddress(_))
            }),
            ("10.0.0.0/33", |e| {
                matches!(e, TrustedProxyError::BadPrefix(_))
            }),
            ("fd00::/129", |e| {
                matches!(e, TrustedProxyError::BadPrefix(_))
            }),
            ("10.0.0.0/999", |e| {
                matches!(e, TrustedProxyError::BadPrefix(_))
            }),
            ("10.0.0.1/8", |e| {
                matches!(e, TrustedProxyError::HostBitsSet { .. })
            }),
            ("fd00::1/8", |e| {
                matches!(e, TrustedProxyError::HostBitsSet { .. })
            }),
        ];
        for (entry, expected) in cases {
            let err = TrustedProxies::parse(["127.0.0.1", entry]).expect_err(entry);
            assert!(expected(&err), "{entry}: {err:?}");
            assert!(err.to_string().contains(entry), "{entry} quoted in: {err}");
        }
        let err = TrustedProxies::parse(["10.0.0.1/8"]).expect_err("host bits");
        assert!(err.to_string().contains("10.0.0.0/8"), "{err}");
    }

    #[test]
    fn an_empty_list_trusts_nobody_and_blanks_are_skipped() {
        let nobody = TrustedProxies::parse(Vec::<String>::new()).expect("empty");
        assert!(nobody.is_empty());
        assert!(!nobody.contains(ip("127.0.0.1")));
        let blanks = TrustedProxies::parse(["", "  ", " 10.0.0.1 "]).expect("blanks");
        assert!(blanks.contains(ip("10.0.0.1")));
        assert!(!blanks.contains(ip("10.0.0.2")));
    }
}
