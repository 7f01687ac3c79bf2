//! Brute-force protection for logins.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::Email;

/// The network address a login came from.
pub type ClientAddress = IpAddr;

/// Too many failed logins: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed login attempts")]
pub struct Throttled {
    pub retry_after: Duration,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait LoginThrottle: Send + Sync {
    /// Refuses the attempt if the account or the client address failed too often recently.
    fn check(
        &self,
        account: &Email,
        client: ClientAddress,
        now: DateTime<Utc>,
    ) -> Result<(), Throttled>;

    fn record_failure(&self, account: &Email, client: ClientAddress, now: DateTime<Utc>);

    /// Clears the account's failures (not the address's: one good password must not unlock
    /// guessing at other accounts from the same address).
    fn record_success(&self, account: &Email);
}
