//! The [`LoginThrottle`] port on PostgreSQL: failed logins counted in the `login_throttle`
//! table, so every instance on the database shares the counts and a lock survives restarts.
//!
//! All the logic is in the migration's SQL functions, each called in one statement: one round
//! trip per attempt, atomic in the statement's own transaction (row locks taken by upserts in a
//! fixed order), with no session state (no session-level advisory lock, no temporary table),
//! so a transaction-mode connection pooler in front of PostgreSQL changes nothing.
//!
//! This adapter is PostgreSQL's own rather than a storage port of `calls-storage-diesel`: the
//! atomic check-and-count is PL/pgSQL, which SQLite has no equivalent of, and SQLite serves a
//! single instance, for which the in-process throttle (`calls-adapters-throttle`) is exact and
//! costs no disk write per login.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use calls_core::domain::Email;
use calls_core::ports::{
    AdmitError, AdmittedAttempt, ClientAddress, LoginThrottle, StorageError, ThrottleLimits,
    Throttled, client_network,
};
use calls_storage_diesel::Blocking;
use calls_storage_diesel::errors::storage_error;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamptz};

use crate::refusal_memo::{RefusalMemo, Scope};
use crate::storage::PostgresStorage;

/// Login failures in PostgreSQL, on the storage's pool (its connections and its bound on
/// blocking threads). Cheap to clone.
#[derive(Clone)]
pub struct PostgresLoginThrottle {
    db: Blocking<PgConnection>,
    limits: ThrottleLimits,
    /// Put before every key, so that two throttles with different limits (logins, password
    /// reset requests) share the table without counting into each other. Empty for logins,
    /// whose keys are the ones the table has always had.
    namespace: &'static str,
    /// Refusals believed for a moment without a round trip (see `refusal_memo`); shared by
    /// clones.
    memo: Arc<RefusalMemo>,
}

impl PostgresLoginThrottle {
    /// A throttle with `limits` on `storage`'s database (migrated: the table and functions come
    /// with the migrations).
    pub fn new(storage: &PostgresStorage, limits: ThrottleLimits) -> Self {
        Self::in_namespace(storage, limits, "")
    }

    /// A throttle of its own on the same table: its keys are `namespace` followed by the
    /// account's or network's key (e.g. `password-reset:` for reset requests).
    pub fn in_namespace(
        storage: &PostgresStorage,
        limits: ThrottleLimits,
        namespace: &'static str,
    ) -> Self {
        Self {
            db: storage.db.clone(),
            limits: limits.normalized(),
            namespace,
            memo: Arc::default(),
        }
    }

    fn account_key(&self, account: &Email) -> String {
        format!("{}{}", self.namespace, account.as_str())
    }

    /// The `key` of a client network's row: its address in the usual text form.
    fn client_key(&self, client: ClientAddress) -> String {
        format!("{}{}", self.namespace, client_network(client))
    }

    pub fn limits(&self) -> ThrottleLimits {
        self.limits
    }

    /// Settles an admitted attempt (see `login_throttle_settle` in the migration).
    async fn settle(
        &self,
        operation: &'static str,
        attempt: &AdmittedAttempt,
        clear_account: bool,
    ) -> Result<(), StorageError> {
        let account = self.account_key(&attempt.account);
        let client = self.client_key(attempt.client);
        // Their counts fall now: a refusal remembered here may no longer hold.
        self.memo
            .forget(&[(Scope::Account, &account), (Scope::Client, &client)]);
        let at = attempt.at;
        self.db
            .run(operation, move |conn| {
                diesel::sql_query("SELECT login_throttle_settle($1, $2, $3, $4)")
                    .bind::<Text, _>(account)
                    .bind::<Text, _>(client)
                    .bind::<Timestamptz, _>(at)
                    .bind::<Bool, _>(clear_account)
                    .execute(conn)
                    .map(drop)
                    .map_err(storage_error)
            })
            .await
    }
}

impl fmt::Debug for PostgresLoginThrottle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresLoginThrottle")
            .field("limits", &self.limits)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// A limit as the SQL functions take it; no real limit comes near `i32::MAX`.
fn sql_limit(limit: usize) -> i32 {
    i32::try_from(limit).unwrap_or(i32::MAX)
}

/// Until when each limit refuses the attempt; both `None`: admitted.
#[derive(QueryableByName)]
struct Verdict {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    account_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    client_until: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct Purged {
    #[diesel(sql_type = BigInt)]
    purged: i64,
}

#[async_trait]
impl LoginThrottle for PostgresLoginThrottle {
    async fn admit(
        &self,
        account: &Email,
        client: ClientAddress,
        now: DateTime<Utc>,
    ) -> Result<AdmittedAttempt, AdmitError> {
        let key = self.account_key(account);
        let network = self.client_key(client);
        if let Some(retry_at) = self.memo.refused(&key, &network, now) {
            return Err(Throttled::until(retry_at, now).into());
        }
        let (memo_account, memo_client) = (key.clone(), network.clone());
        let window_us = i64::try_from(self.limits.window.as_micros()).unwrap_or(i64::MAX);
        let account_limit = sql_limit(self.limits.max_failures_per_account);
        let client_limit = sql_limit(self.limits.max_failures_per_client);
        let verdict = self
            .db
            .run("login_throttle_admit", move |conn| {
                diesel::sql_query(
                    "SELECT account_until, client_until \
                     FROM login_throttle_admit_scoped($1, $2, $3, $4, $5, $6)",
                )
                .bind::<Text, _>(key)
                .bind::<Text, _>(network)
                .bind::<Timestamptz, _>(now)
                .bind::<BigInt, _>(window_us)
                .bind::<Integer, _>(account_limit)
                .bind::<Integer, _>(client_limit)
                .get_result::<Verdict>(conn)
                .map_err(storage_error)
            })
            .await?;
        if let Some(until) = verdict.account_until {
            self.memo.remember(Scope::Account, &memo_account, until);
        }
        if let Some(until) = verdict.client_until {
            self.memo.remember(Scope::Client, &memo_client, until);
        }
        match verdict.account_until.max(verdict.client_until) {
            None => Ok(AdmittedAttempt {
                account: account.clone(),
                client,
                at: now,
            }),
            Some(retry_at) => Err(Throttled::until(retry_at, now).into()),
        }
    }

    async fn succeeded(&self, attempt: &AdmittedAttempt) -> Result<(), StorageError> {
        self.settle("login_throttle_succeeded", attempt, true).await
    }

    async fn withdraw(&self, attempt: &AdmittedAttempt) -> Result<(), StorageError> {
        self.settle("login_throttle_withdraw", attempt, false).await
    }

    async fn forget_account(&self, account: &Email) -> Result<(), StorageError> {
        let key = self.account_key(account);
        self.memo.forget(&[(Scope::Account, &key)]);
        self.db
            .run("login_throttle_forget_account", move |conn| {
                diesel::sql_query("DELETE FROM login_throttle WHERE scope = 'account' AND key = $1")
                    .bind::<Text, _>(key)
                    .execute(conn)
                    .map(drop)
                    .map_err(storage_error)
            })
            .await
    }

    /// One statement; rows another instance is purging or updating at the same moment are
    /// skipped (`SKIP LOCKED`), so instances purging together neither wait for each other nor
    /// deadlock with logins, and a row being admitted is never deleted under it.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError> {
        let purged = self
            .db
            .run("login_throttle_purge", move |conn| {
                diesel::sql_query(
                    "WITH purged AS ( \
                         DELETE FROM login_throttle AS t \
                         USING ( \
                             SELECT scope, key FROM login_throttle \
                             WHERE expires_at <= $1 \
                             FOR UPDATE SKIP LOCKED \
                         ) AS expired \
                         WHERE t.scope = expired.scope AND t.key = expired.key \
                         RETURNING 1 \
                     ) \
                     SELECT count(*) AS purged FROM purged",
                )
                .bind::<Timestamptz, _>(now)
                .get_result::<Purged>(conn)
                .map_err(storage_error)
            })
            .await?;
        Ok(u64::try_from(purged.purged).unwrap_or(0))
    }
}
