//! Limits of the login throttle.

use std::time::Duration;

/// How many failures are tolerated, over what window, and how many keys are remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Failures per account within `window` before its logins are refused (default 5). Low,
    /// because an account is what a guessing attack targets. 0 is treated as 1.
    pub max_failures_per_account: usize,
    /// Failures per client address within `window` before its logins are refused (default 20):
    /// higher than per account, since one address can be a whole office behind NAT, yet low
    /// enough to stop one address from spraying guesses over many accounts. 0 is treated as 1.
    pub max_failures_per_client: usize,
    /// Length of the sliding window (default 15 min). At least 1 s.
    pub window: Duration,
    /// Accounts remembered at once (default 50 000, at most a few tens of MB with the longest
    /// emails). When full, expired entries go first, then the least recently failed.
    pub max_tracked_accounts: usize,
    /// Client addresses remembered at once (default 50 000, about 20 MB at worst). Same
    /// eviction as accounts.
    pub max_tracked_clients: usize,
}

impl ThrottleConfig {
    pub const DEFAULT_MAX_FAILURES_PER_ACCOUNT: usize = 5;
    pub const DEFAULT_MAX_FAILURES_PER_CLIENT: usize = 20;
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(15 * 60);
    pub const DEFAULT_MAX_TRACKED_ACCOUNTS: usize = 50_000;
    pub const DEFAULT_MAX_TRACKED_CLIENTS: usize = 50_000;
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_failures_per_account: Self::DEFAULT_MAX_FAILURES_PER_ACCOUNT,
            max_failures_per_client: Self::DEFAULT_MAX_FAILURES_PER_CLIENT,
            window: Self::DEFAULT_WINDOW,
            max_tracked_accounts: Self::DEFAULT_MAX_TRACKED_ACCOUNTS,
            max_tracked_clients: Self::DEFAULT_MAX_TRACKED_CLIENTS,
        }
    }
}
