//! `stamp_call_statistics!`: calls per status over the whole table, for metrics.

/// Implements `CallStatistics` for the calling crate's storage type.
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_call_statistics {
    ($storage:ident) => {
        const _: () = {
            use calls_core::ports::{CallStatistics, CallStatusCounts, StorageError};
            use diesel::dsl::count_star;
            use diesel::prelude::*;
            use $crate::conversions::{count, parse_status};
            use $crate::errors::storage_error;

            use crate::schema::calls;

            #[async_trait::async_trait]
            impl CallStatistics for $storage {
                /// `SELECT status, count(*) FROM calls GROUP BY status`: at most one row per
                /// status. No index covers every status, so the database reads the status of
                /// every row: one pass over the table, fine at scrape intervals (seconds), not
                /// something to run per request.
                async fn count_by_status(&self) -> Result<CallStatusCounts, StorageError> {
                    self.db
                        .run("count_calls_by_status", |conn| {
                            let rows: Vec<(String, i64)> = calls::table
                                .group_by(calls::status)
                                .select((calls::status, count_star()))
                                .load(conn)
                                .map_err(storage_error)?;
                            rows.into_iter()
                                .map(|(status, rows)| {
                                    Ok((parse_status(&status, "calls")?, count(rows)))
                                })
                                .collect()
                        })
                        .await
                }
            }
        };
    };
}
