//! The `LoginThrottle` port over two bounded tables.

use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use calls_core::domain::Email;
use calls_core::ports::{ClientAddress, LoginThrottle, Throttled};
use chrono::{DateTime, TimeDelta, Utc};

use crate::client_key::client_key;
use crate::config::ThrottleConfig;
use crate::table::BoundedTable;

/// Counts failed logins per account and per client address (IPv6 per /64) in memory.
///
/// Each table sits behind its own `std::sync::Mutex`, held only for a few map operations and
/// never across an `.await` or while the other is held.
pub struct InMemoryLoginThrottle {
    accounts: Mutex<BoundedTable<Email>>,
    clients: Mutex<BoundedTable<IpAddr>>,
    config: ThrottleConfig,
}

impl InMemoryLoginThrottle {
    pub fn new(config: ThrottleConfig) -> Self {
        let window = TimeDelta::from_std(config.window)
            .unwrap_or(TimeDelta::MAX)
            .max(TimeDelta::seconds(1));
        Self {
            accounts: Mutex::new(BoundedTable::new(
                config.max_tracked_accounts,
                window,
                config.max_failures_per_account,
            )),
            clients: Mutex::new(BoundedTable::new(
                config.max_tracked_clients,
                window,
                config.max_failures_per_client,
            )),
            config,
        }
    }

    pub fn config(&self) -> ThrottleConfig {
        self.config
    }

    /// Accounts and client networks currently remembered (for metrics and tests).
    pub fn tracked(&self) -> (usize, usize) {
        (lock(&self.accounts).len(), lock(&self.clients).len())
    }
}

impl Default for InMemoryLoginThrottle {
    fn default() -> Self {
        Self::new(ThrottleConfig::default())
    }
}

impl std::fmt::Debug for InMemoryLoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryLoginThrottle")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A panic while holding the lock cannot leave the counters in a dangerous state (at worst a
/// count is off by one), so a poisoned lock is used as is rather than failing every login.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LoginThrottle for InMemoryLoginThrottle {
    fn check(
        &self,
        account: &Email,
        client: ClientAddress,
        now: DateTime<Utc>,
    ) -> Result<(), Throttled> {
        let by_account = lock(&self.accounts).retry_after(account, now);
        let by_client = lock(&self.clients).retry_after(&client_key(client), now);
        match by_account.max(by_client) {
            Some(retry_after) => Err(Throttled { retry_after }),
            None => Ok(()),
        }
    }

    fn record_failure(&self, account: &Email, client: ClientAddress, now: DateTime<Utc>) {
        lock(&self.accounts).record_failure(account, now);
        lock(&self.clients).record_failure(&client_key(client), now);
    }

    fn record_success(&self, account: &Email) {
        lock(&self.accounts).forget(account);
    }
}
