//! Calls per status over the whole table, for metrics.

use calls_core::domain::CallStatus;
use calls_core::ports::{CallStatusCounts, StorageError};
use diesel::PgConnection;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::errors::storage_error;
use crate::schema::calls;

/// `SELECT status, count(*) FROM calls GROUP BY status`: at most one row per status. No index
/// covers every status, so the database reads the status of every row: one pass over the table,
/// fine at scrape intervals (seconds), not something to run per request.
pub(crate) fn count_by_status(conn: &mut PgConnection) -> Result<CallStatusCounts, StorageError> {
    let rows: Vec<(String, i64)> = calls::table
        .group_by(calls::status)
        .select((calls::status, count_star()))
        .load(conn)
        .map_err(storage_error)?;
    rows.into_iter()
        .map(|(status, count)| {
            let status: CallStatus = status.parse().map_err(|_| {
                StorageError::Unexpected(format!("calls have an unknown status {status:?}"))
            })?;
            Ok((status, u64::try_from(count).unwrap_or(0)))
        })
        .collect()
}
