//! The `LoginThrottle` port over two bounded tables.

use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use calls_core::domain::Email;
use calls_core::ports::{
    AdmitError, AdmittedAttempt, ClientAddress, LoginThrottle, StorageError, Throttled,
    client_network,
};
use chrono::{DateTime, TimeDelta, Utc};

use crate::config::ThrottleConfig;
use crate::table::BoundedTable;

/// Both tables, behind one lock: admitting an attempt checks and counts it in both at once, so
/// concurrent attempts cannot slip past a limit between the check and the count.
struct Tables {
    accounts: BoundedTable<Email>,
    clients: BoundedTable<IpAddr>,
}

/// Counts failed logins per account and per client network (IPv6 per /64) in memory.
///
/// The lock is a `std::sync::Mutex` held only for a few map operations, never across an
/// `.await`; every operation is synchronous work of microseconds, so it runs in place on the
/// async worker.
pub struct InMemoryLoginThrottle {
    tables: Mutex<Tables>,
    config: ThrottleConfig,
}

impl InMemoryLoginThrottle {
    pub fn new(config: ThrottleConfig) -> Self {
        let limits = config.limits.normalized();
        let window = TimeDelta::from_std(limits.window).unwrap_or(TimeDelta::MAX);
        Self {
            tables: Mutex::new(Tables {
                accounts: BoundedTable::new(
                    config.max_tracked_accounts,
                    window,
                    limits.max_failures_per_account,
                ),
                clients: BoundedTable::new(
                    config.max_tracked_clients,
                    window,
                    limits.max_failures_per_client,
                ),
            }),
            config: ThrottleConfig { limits, ..config },
        }
    }

    /// The configuration in force (limits normalized).
    pub fn config(&self) -> ThrottleConfig {
        self.config
    }

    /// Accounts and client networks currently remembered (for tests).
    pub fn tracked(&self) -> (usize, usize) {
        let tables = self.lock();
        (tables.accounts.len(), tables.clients.len())
    }

    /// A panic while holding the lock cannot leave the counters in a dangerous state (at worst
    /// a count is off by one), so a poisoned lock is used as is rather than failing every login.
    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
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

#[async_trait]
impl LoginThrottle for InMemoryLoginThrottle {
    async fn admit(
        &self,
        account: &Email,
        client: ClientAddress,
        now: DateTime<Utc>,
    ) -> Result<AdmittedAttempt, AdmitError> {
        let network = client_network(client);
        let mut tables = self.lock();
        let by_account = tables.accounts.locked_until(account, now);
        let by_client = tables.clients.locked_until(&network, now);
        if let Some(until) = by_account.max(by_client) {
            return Err(Throttled::until(until, now).into());
        }
        tables.accounts.record_failure(account, now);
        tables.clients.record_failure(&network, now);
        Ok(AdmittedAttempt {
            account: account.clone(),
            client,
            at: now,
        })
    }

    async fn succeeded(&self, attempt: &AdmittedAttempt) -> Result<(), StorageError> {
        let mut tables = self.lock();
        tables.accounts.forget(&attempt.account);
        tables
            .clients
            .take_back(&client_network(attempt.client), attempt.at);
        Ok(())
    }

    async fn withdraw(&self, attempt: &AdmittedAttempt) -> Result<(), StorageError> {
        let mut tables = self.lock();
        tables.accounts.take_back(&attempt.account, attempt.at);
        tables
            .clients
            .take_back(&client_network(attempt.client), attempt.at);
        Ok(())
    }

    async fn forget_account(&self, account: &Email) -> Result<(), StorageError> {
        self.lock().accounts.forget(account);
        Ok(())
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError> {
        let mut tables = self.lock();
        let purged = tables.accounts.purge_expired(now) + tables.clients.purge_expired(now);
        Ok(u64::try_from(purged).unwrap_or(u64::MAX))
    }
}
