//! Logged-out tokens: the `RevocationStore` port.

use async_trait::async_trait;
use calls_core::ports::{RevocationKey, RevocationStore, StorageError};
use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::errors::storage_error;
use crate::models::micros;
use crate::schema::revoked_tokens;
use crate::storage::SqliteStorage;

#[async_trait]
impl RevocationStore for SqliteStorage {
    /// An upsert, so revoking again is no error; the later expiry wins, so a revocation is never
    /// shortened (SQLite's two-argument `max` is the scalar maximum).
    async fn revoke(
        &self,
        key: &RevocationKey,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let key = key.as_str().to_owned();
        self.db
            .run("revoke_token", move |conn| {
                diesel::insert_into(revoked_tokens::table)
                    .values((
                        revoked_tokens::key.eq(&key),
                        revoked_tokens::expires_at.eq(micros(expires_at)),
                    ))
                    .on_conflict(revoked_tokens::key)
                    .do_update()
                    .set(revoked_tokens::expires_at.eq(sql::<BigInt>(
                        "max(revoked_tokens.expires_at, excluded.expires_at)",
                    )))
                    .execute(conn)
                    .map(drop)
                    .map_err(storage_error)
            })
            .await
    }

    /// Rows that expired but were not purged yet do not count: the token is invalid anyway.
    async fn is_revoked(&self, key: &RevocationKey) -> Result<bool, StorageError> {
        let key = key.as_str().to_owned();
        let now = Utc::now();
        self.db
            .run("is_token_revoked", move |conn| {
                diesel::select(revoked_at(&key, now))
                    .get_result(conn)
                    .map_err(storage_error)
            })
            .await
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError> {
        let now = micros(now);
        self.db
            .run("purge_expired_revocations", move |conn| {
                diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now)))
                    .execute(conn)
                    .map(|purged| u64::try_from(purged).unwrap_or(u64::MAX))
                    .map_err(storage_error)
            })
            .await
    }
}

/// The revocations of one key.
type RevocationsOf =
    diesel::dsl::Filter<revoked_tokens::table, diesel::dsl::Eq<revoked_tokens::key, String>>;
/// `EXISTS` a revocation of one key that is still valid at a time.
pub(crate) type RevokedAt = diesel::dsl::exists<
    diesel::dsl::Filter<RevocationsOf, diesel::dsl::Gt<revoked_tokens::expires_at, i64>>,
>;

/// Whether the token `key` is revoked at `at`: what `is_revoked` asks, and what the history read
/// asks in its own transaction (`history::page`).
pub(crate) fn revoked_at(key: &str, at: DateTime<Utc>) -> RevokedAt {
    diesel::dsl::exists(
        revoked_tokens::table
            .filter(revoked_tokens::key.eq(key.to_owned()))
            .filter(revoked_tokens::expires_at.gt(micros(at))),
    )
}
