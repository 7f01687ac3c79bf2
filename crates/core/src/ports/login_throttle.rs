//! Brute-force protection for logins: failed attempts counted per account and per client
//! network, within a sliding window.
//!
//! The port is shaped for a store shared by every server instance (a database): one
//! [`LoginThrottle::admit`] per attempt checks both limits and counts the attempt in the same
//! atomic step, so concurrent attempts, on one instance or many, never let more than the limit
//! through; the attempt counts as a failure until the password check says otherwise
//! ([`LoginThrottle::succeeded`], [`LoginThrottle::withdraw`]). A wrong password therefore costs
//! the throttle a single round trip.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StorageError;
use crate::domain::Email;

/// The network address a login came from.
pub type ClientAddress = IpAddr;

/// Which key a client address is counted under.
///
/// IPv4 addresses count individually. IPv6 addresses count per /64 network, because one
/// subscriber is routinely given a whole /64 and could otherwise rotate through 2^64 addresses
/// to dodge the limit. IPv4-mapped IPv6 addresses count as the IPv4 address they carry. Every
/// adapter keys its client counts by this, so all of them agree on who is "one client".
pub fn client_network(address: ClientAddress) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

/// How many failures are tolerated and over what window (`auth.throttle.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// Failures per account within `window` before its logins are refused (default 5). Low,
    /// because an account is what a guessing attack targets.
    pub max_failures_per_account: usize,
    /// Failures per client network within `window` before its logins are refused (default
    /// 20): higher than per account, since one address can be a whole office behind NAT, yet
    /// low enough to stop one address from spraying guesses over many accounts.
    pub max_failures_per_client: usize,
    /// Length of the sliding window (default 15 min).
    pub window: Duration,
}

impl ThrottleLimits {
    pub const DEFAULT: Self = Self {
        max_failures_per_account: 5,
        max_failures_per_client: 20,
        window: Duration::from_secs(15 * 60),
    };

    /// The limits adapters apply: a limit of 0 is treated as 1 (refusing every login is not a
    /// throttle), the window is at least one second.
    #[must_use]
    pub fn normalized(self) -> Self {
        Self {
            max_failures_per_account: self.max_failures_per_account.max(1),
            max_failures_per_client: self.max_failures_per_client.max(1),
            window: self.window.max(Duration::from_secs(1)),
        }
    }
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Too many failed logins: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed login attempts")]
pub struct Throttled {
    pub retry_after: Duration,
}

impl Throttled {
    /// Refused until `until`, asked at `now`: the wait rounded up to whole seconds (what a
    /// `Retry-After` header can say) and at least one second, so that a client retrying when
    /// told is not refused again for a fraction of a second.
    pub fn until(until: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let remaining = (until - now).to_std().unwrap_or(Duration::ZERO);
        let whole_seconds = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
        Self {
            retry_after: Duration::from_secs(whole_seconds.max(1)),
        }
    }
}

/// An attempt the throttle let through. It counts as a failure of its account and of its
/// client network until [`LoginThrottle::succeeded`] or [`LoginThrottle::withdraw`] says
/// otherwise; `at` tells the adapter which of the counted failures is this attempt's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmittedAttempt {
    pub account: Email,
    pub client: ClientAddress,
    pub at: DateTime<Utc>,
}

/// Why [`LoginThrottle::admit`] did not let an attempt through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    /// The account or the client network failed too often recently.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// The shared store could not be asked: the login cannot be judged safely now (HTTP 503).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Refuses the attempt when the account or the client network already has its limit of
    /// failures in the window ending at `now` (the refusal is not counted, so waiting it out is
    /// enough); otherwise counts the attempt as a failure of both, in the same atomic step.
    /// Concurrent calls, from any number of instances sharing the adapter's store, never admit
    /// more attempts than the limit.
    ///
    /// Errors: [`AdmitError::Throttled`] with the wait until the oldest counted failure leaves
    /// the window (the longer of the two when both limits are reached);
    /// [`AdmitError::Storage`] when a shared store cannot be reached.
    async fn admit(
        &self,
        account: &Email,
        client: ClientAddress,
        now: DateTime<Utc>,
    ) -> Result<AdmittedAttempt, AdmitError>;

    /// The attempt's password was right: clears the account's failures, and takes back the
    /// attempt's own count on the client network, whose other failures stay (one good password
    /// must not unlock guessing at other accounts from the same address).
    async fn succeeded(&self, attempt: &AdmittedAttempt) -> Result<(), StorageError>;

    /// The attempt could not be judged (the user store or the hasher failed): takes back its
    /// count on both the account and the client network, so an outage does not lock anyone out.
    async fn withdraw(&self, attempt: &AdmittedAttempt) -> Result<(), StorageError>;

    /// Forgets every failure counted for `account` (its account is being deleted); the client
    /// networks keep theirs, which are not the account's. Forgetting an unknown account is no
    /// error.
    async fn forget_account(&self, account: &Email) -> Result<(), StorageError>;

    /// Forgets keys whose every failure left the window before `now`, so the store stays
    /// bounded; returns how many keys were forgotten. Safe on several instances at once, and
    /// never changes an answer of [`LoginThrottle::admit`].
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError>;
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().expect("valid address")
    }

    #[test]
    fn ipv4_is_kept_as_is() {
        assert_eq!(client_network(ip("203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn ipv6_counts_per_slash_64() {
        assert_eq!(
            client_network(ip("2001:db8:1:2:aaaa::1")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            client_network(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            client_network(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            client_network(ip("2001:db8:1:3::1")),
            client_network(ip("2001:db8:1:2::1"))
        );
    }

    #[test]
    fn mapped_ipv4_is_the_ipv4_address() {
        assert_eq!(client_network(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn zero_limits_and_windows_are_raised_to_the_minimum() {
        let limits = ThrottleLimits {
            max_failures_per_account: 0,
            max_failures_per_client: 0,
            window: Duration::ZERO,
        }
        .normalized();
        assert_eq!(limits.max_failures_per_account, 1);
        assert_eq!(limits.max_failures_per_client, 1);
        assert_eq!(limits.window, Duration::from_secs(1));
        assert_eq!(
            ThrottleLimits::DEFAULT.normalized(),
            ThrottleLimits::DEFAULT
        );
    }

    #[test]
    fn retry_after_rounds_up_and_is_at_least_one_second() {
        let now = Utc
            .with_ymd_and_hms(2026, 12, 3, 12, 0, 0)
            .single()
            .expect("valid");
        let wait = |delta: TimeDelta| Throttled::until(now + delta, now).retry_after;
        assert_eq!(wait(TimeDelta::seconds(800)), Duration::from_secs(800));
        assert_eq!(wait(TimeDelta::milliseconds(1500)), Duration::from_secs(2));
        assert_eq!(wait(TimeDelta::milliseconds(1)), Duration::from_secs(1));
        assert_eq!(wait(TimeDelta::seconds(-5)), Duration::from_secs(1));
    }
}
