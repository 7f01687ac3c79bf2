//! `stamp_revocation_store!`: logged-out tokens, shared by every instance through the
//! `revoked_tokens` table.

/// Implements `RevocationStore` for the calling crate's storage type. The upsert keeps the
/// later of two expiries with the backend's own SQL, `crate::dialect::LATER_EXPIRY`.
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_revocation_store {
    ($storage:ident) => {
        const _: () = {
            use calls_core::ports::{RevocationKey, RevocationStore, SessionRef, StorageError};
            use chrono::{DateTime, Utc};
            use diesel::dsl::{SqlTypeOf, sql};
            use diesel::prelude::*;
            use $crate::conversions::touched;
            use $crate::errors::storage_error;

            use crate::columns::StoredTime;
            use crate::dialect::LATER_EXPIRY;
            use crate::rows::session_ended;
            use crate::schema::revoked_tokens;

            #[async_trait::async_trait]
            impl RevocationStore for $storage {
                /// An upsert, so revoking again (or from two instances at once) is no error; the
                /// later expiry wins, so a revocation is never shortened.
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
                                    revoked_tokens::expires_at.eq(StoredTime(expires_at)),
                                ))
                                .on_conflict(revoked_tokens::key)
                                .do_update()
                                .set(revoked_tokens::expires_at.eq(sql::<
                                    SqlTypeOf<revoked_tokens::expires_at>,
                                >(
                                    LATER_EXPIRY
                                )))
                                .execute(conn)
                                .map(drop)
                                .map_err(storage_error)
                        })
                        .await
                }

                async fn is_revoked(&self, session: &SessionRef) -> Result<bool, StorageError> {
                    let session = session.clone();
                    let now = Utc::now();
                    self.db
                        .run("is_token_revoked", move |conn| {
                            diesel::select(session_ended(&session, now))
                                .get_result(conn)
                                .map_err(storage_error)
                        })
                        .await
                }

                async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StorageError> {
                    self.db
                        .run("purge_expired_revocations", move |conn| {
                            diesel::delete(
                                revoked_tokens::table
                                    .filter(revoked_tokens::expires_at.lt(StoredTime(now))),
                            )
                            .execute(conn)
                            .map(touched)
                            .map_err(storage_error)
                        })
                        .await
                }
            }
        };
    };
}
