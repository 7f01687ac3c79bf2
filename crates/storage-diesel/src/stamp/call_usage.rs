//! `stamp_call_usage!`: the per-user counts the calling limits are checked against.

/// Implements `CallUsage` for the calling crate's storage type. Both counts are answered from
/// the index on `(user_id, start_time ...)`.
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_call_usage {
    ($storage:ident) => {
        const _: () = {
            use calls_core::domain::{CallStatus, UserId};
            use calls_core::ports::{CallUsage, StorageError};
            use chrono::{DateTime, Utc};
            use diesel::prelude::*;
            use $crate::conversions::{count, status_texts};
            use $crate::errors::storage_error;

            use crate::columns::{StoredId, StoredTime};
            use crate::schema::calls;

            #[async_trait::async_trait]
            impl CallUsage for $storage {
                async fn count_in_progress(&self, user_id: UserId) -> Result<u64, StorageError> {
                    self.db
                        .run("count_calls_in_progress", move |conn| {
                            calls::table
                                .filter(calls::user_id.eq(StoredId(*user_id.as_uuid())))
                                .filter(calls::status.eq_any(status_texts(CallStatus::IN_PROGRESS)))
                                .count()
                                .get_result(conn)
                                .map(count)
                                .map_err(storage_error)
                        })
                        .await
                }

                async fn count_started_since(
                    &self,
                    user_id: UserId,
                    since: DateTime<Utc>,
                ) -> Result<u64, StorageError> {
                    self.db
                        .run("count_calls_started_since", move |conn| {
                            calls::table
                                .filter(calls::user_id.eq(StoredId(*user_id.as_uuid())))
                                .filter(calls::start_time.ge(StoredTime(since)))
                                .count()
                                .get_result(conn)
                                .map(count)
                                .map_err(storage_error)
                        })
                        .await
                }
            }
        };
    };
}
