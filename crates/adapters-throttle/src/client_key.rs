//! Which key a client address is counted under.

use std::net::{IpAddr, Ipv6Addr};

/// IPv4 addresses count individually. IPv6 addresses count per /64 network, because one
/// subscriber is routinely given a whole /64 and could otherwise rotate through 2^64 addresses
/// to dodge the limit. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
pub(crate) fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().expect("valid address")
    }

    #[test]
    fn ipv4_is_kept_as_is() {
        assert_eq!(client_key(ip("203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn ipv6_counts_per_slash_64() {
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            client_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            client_key(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:3::1")),
            client_key(ip("2001:db8:1:2::1"))
        );
    }

    #[test]
    fn mapped_ipv4_is_the_ipv4_address() {
        assert_eq!(client_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }
}
