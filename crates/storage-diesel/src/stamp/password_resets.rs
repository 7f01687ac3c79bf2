//! `stamp_password_reset_tokens!`: password-reset links, by the digest of their secret.

/// Implements `PasswordResetTokens` for the calling crate's storage type (its `Blocking`
/// runner in a field `db`), over `crate::schema::password_reset_tokens` and the shared
/// session cutoff of [`stamp_user_repository!`](crate::stamp_user_repository).
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_password_reset_tokens {
    ($storage:ident) => {
        const _: () = {
            use calls_core::domain::{Email, PasswordHash, ResetDigest, UserId};
            use calls_core::ports::{PasswordResetTokens, RedeemedReset, StorageError};
            use chrono::{DateTime, Utc};
            use diesel::dsl::IntoSql;
            use diesel::prelude::*;
            use diesel::result::Error as DieselError;
            use diesel::sql_types::Text;
            use diesel::upsert::excluded;
            use $crate::conversions::stored_email;
            use $crate::errors::storage_error;

            use crate::columns::{StoredId, StoredTime};
            use crate::schema::{password_reset_tokens as resets, users};
            use crate::user_sessions::end_sessions;

            /// The SQL type the backend stores times as.
            type TimeSql = <resets::expires_at as diesel::Expression>::SqlType;

            #[async_trait::async_trait]
            impl PasswordResetTokens for $storage {
                /// One statement, whatever the address: an insert of the account's row,
                /// selected by e-mail, that replaces its earlier link (an upsert on the unique
                /// `user_id`, so concurrent requests leave one live link). For an address
                /// without an account it selects and writes nothing, in the same statement.
                async fn issue(
                    &self,
                    email: &Email,
                    digest: &ResetDigest,
                    created_at: DateTime<Utc>,
                    expires_at: DateTime<Utc>,
                ) -> Result<bool, StorageError> {
                    let email = stored_email(email);
                    let digest = digest.as_str().to_owned();
                    self.db
                        .run("issue_password_reset", move |conn| {
                            let row = users::table.filter(users::email.eq(email)).select((
                                digest.into_sql::<Text>(),
                                users::id,
                                StoredTime(created_at).into_sql::<TimeSql>(),
                                StoredTime(expires_at).into_sql::<TimeSql>(),
                            ));
                            diesel::insert_into(resets::table)
                                .values(row)
                                .into_columns((
                                    resets::token_hash,
                                    resets::user_id,
                                    resets::created_at,
                                    resets::expires_at,
                                ))
                                .on_conflict(resets::user_id)
                                .do_update()
                                .set((
                                    resets::token_hash.eq(excluded(resets::token_hash)),
                                    resets::created_at.eq(excluded(resets::created_at)),
                                    resets::expires_at.eq(excluded(resets::expires_at)),
                                ))
                                .execute(conn)
                                .map(|written| written > 0)
                                .map_err(storage_error)
                        })
                        .await
                }

                async fn holder(
                    &self,
                    digest: &ResetDigest,
                    now: DateTime<Utc>,
                ) -> Result<Option<UserId>, StorageError> {
                    let digest = digest.as_str().to_owned();
                    self.db
                        .run("find_password_reset", move |conn| {
                            resets::table
                                .find(digest)
                                .filter(resets::expires_at.gt(StoredTime(now)))
                                .select(resets::user_id)
                                .first::<StoredId>(conn)
                                .optional()
                                .map(|holder| holder.map(|id| UserId::from_uuid(id.0)))
                                .map_err(storage_error)
                        })
                        .await
                }

                /// The password is written first, through the live link, so that the write
                /// lock is taken before anything is read (SQLite cannot turn a read
                /// transaction into a write one once another writer went first). The delete
                /// of this very link then decides between concurrent redemptions: on
                /// PostgreSQL the second waits for the first's row lock and deletes nothing,
                /// which rolls it back.
                async fn redeem(
                    &self,
                    digest: &ResetDigest,
                    hash: PasswordHash,
                    now: DateTime<Utc>,
                ) -> Result<Option<RedeemedReset>, StorageError> {
                    let digest = digest.as_str().to_owned();
                    let outcome = self
                        .db
                        .run("redeem_password_reset", move |conn| {
                            conn.transaction(|conn| {
                                let holder = resets::table
                                    .filter(resets::token_hash.eq(digest.clone()))
                                    .filter(resets::expires_at.gt(StoredTime(now)))
                                    .select(resets::user_id)
                                    .single_value();
                                let updated = diesel::update(
                                    users::table.filter(users::id.nullable().eq(holder)),
                                )
                                .set(users::password_hash.eq(hash.as_str()))
                                .execute(conn)?;
                                if updated == 0 {
                                    return Err(DieselError::RollbackTransaction);
                                }
                                let Some(user) = resets::table
                                    .find(digest.clone())
                                    .select(resets::user_id)
                                    .first::<StoredId>(conn)
                                    .optional()?
                                else {
                                    return Err(DieselError::RollbackTransaction);
                                };
                                // The account's one row: deleting it decides the race.
                                if diesel::delete(resets::table.find(digest)).execute(conn)? == 0 {
                                    return Err(DieselError::RollbackTransaction);
                                }
                                let user_id = UserId::from_uuid(user.0);
                                let Some(cutoff) = end_sessions(conn, user_id, now)? else {
                                    return Err(DieselError::RollbackTransaction);
                                };
                                Ok(Some(RedeemedReset {
                                    user_id,
                                    sessions_valid_after: cutoff,
                                }))
                            })
                            .or_else(|error| match error {
                                DieselError::RollbackTransaction => Ok(None),
                                error => Err(storage_error(error)),
                            })
                        })
                        .await?;
                    Ok(outcome)
                }

                async fn purge_expired_links(
                    &self,
                    now: DateTime<Utc>,
                ) -> Result<u64, StorageError> {
                    self.db
                        .run("purge_password_resets", move |conn| {
                            diesel::delete(
                                resets::table.filter(resets::expires_at.le(StoredTime(now))),
                            )
                            .execute(conn)
                            .map(|purged| purged as u64)
                            .map_err(storage_error)
                        })
                        .await
                }
            }
        };
    };
}
