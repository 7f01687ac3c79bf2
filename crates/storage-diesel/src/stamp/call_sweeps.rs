//! `stamp_call_sweeps!`: the stale-call sweep of the background reaper.

/// Implements `CallSweeps` for the calling crate's storage type.
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_call_sweeps {
    ($storage:ident) => {
        const _: () = {
            use calls_core::domain::CallStatus;
            use calls_core::ports::{CallSweeps, StorageError};
            use chrono::{DateTime, Utc};
            use diesel::prelude::*;
            use $crate::conversions::{status_texts, touched};
            use $crate::errors::storage_error;

            use crate::columns::StoredTime;
            use crate::schema::calls;

            #[async_trait::async_trait]
            impl CallSweeps for $storage {
                /// One guarded `UPDATE`: PostgreSQL re-checks the status condition under every
                /// row lock and SQLite runs one write at a time, so instances sweeping at the
                /// same time fail each call once, and a call that finished meanwhile (or a
                /// `status` that may not become `failed`) is left alone.
                async fn fail_stale(
                    &self,
                    status: CallStatus,
                    started_before: DateTime<Utc>,
                    reason: &str,
                    now: DateTime<Utc>,
                ) -> Result<u64, StorageError> {
                    let reason = reason.to_owned();
                    self.db
                        .run("fail_stale_calls", move |conn| {
                            let failable =
                                status_texts(CallStatus::allowed_predecessors(CallStatus::Failed));
                            diesel::update(
                                calls::table
                                    .filter(calls::status.eq(status.as_str()))
                                    .filter(calls::status.eq_any(failable))
                                    .filter(calls::start_time.lt(StoredTime(started_before))),
                            )
                            .set((
                                calls::status.eq(CallStatus::Failed.as_str()),
                                calls::failure_reason.eq(reason),
                                calls::ended_at.eq(StoredTime(now)),
                            ))
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
