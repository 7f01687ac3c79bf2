//! Limits of the in-process login throttle.

use calls_core::ports::ThrottleLimits;

/// The limits every throttle applies, plus how many keys this one remembers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Failures tolerated per account and per client network, and over what window.
    pub limits: ThrottleLimits,
    /// Accounts remembered at once (default 50 000, at most a few tens of MB with the longest
    /// emails). When full, expired entries go first, then the least recently failed.
    pub max_tracked_accounts: usize,
    /// Client addresses remembered at once (default 50 000, about 20 MB at worst). Same
    /// eviction as accounts.
    pub max_tracked_clients: usize,
}

impl ThrottleConfig {
    pub const DEFAULT_MAX_TRACKED_ACCOUNTS: usize = 50_000;
    pub const DEFAULT_MAX_TRACKED_CLIENTS: usize = 50_000;
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            limits: ThrottleLimits::DEFAULT,
            max_tracked_accounts: Self::DEFAULT_MAX_TRACKED_ACCOUNTS,
            max_tracked_clients: Self::DEFAULT_MAX_TRACKED_CLIENTS,
        }
    }
}
