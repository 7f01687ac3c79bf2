//! Per-user call counters (for limits), the pending-call lookup (for provider webhooks) and the
//! stale-call sweep.

use calls_core::domain::{Call, CallId, CallStatus, UserId};
use calls_core::ports::StorageError;
use chrono::{DateTime, Utc};
use diesel::SqliteConnection;
use diesel::prelude::*;

use crate::errors::storage_error;
use crate::models::{CallRow, id_text, micros, status_texts};
use crate::schema::calls;

pub(crate) fn count_in_progress(
    conn: &mut SqliteConnection,
    user_id: UserId,
) -> Result<u64, StorageError> {
    let count: i64 = calls::table
        .filter(calls::user_id.eq(id_text(user_id.as_uuid())))
        .filter(calls::status.eq_any(status_texts(CallStatus::IN_PROGRESS)))
        .count()
        .get_result(conn)
        .map_err(storage_error)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

pub(crate) fn count_started_since(
    conn: &mut SqliteConnection,
    user_id: UserId,
    since: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let count: i64 = calls::table
        .filter(calls::user_id.eq(id_text(user_id.as_uuid())))
        .filter(calls::start_time.ge(micros(since)))
        .count()
        .get_result(conn)
        .map_err(storage_error)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

pub(crate) fn find_pending_without_session(
    conn: &mut SqliteConnection,
    user_id: UserId,
    since: DateTime<Utc>,
) -> Result<Option<Call>, StorageError> {
    calls::table
        .filter(calls::user_id.eq(id_text(user_id.as_uuid())))
        .filter(calls::status.eq_any(status_texts(CallStatus::IN_PROGRESS)))
        .filter(calls::session_id.is_null())
        .filter(calls::start_time.ge(micros(since)))
        .order((calls::start_time.desc(), calls::id.desc()))
        .select(CallRow::as_select())
        .first(conn)
        .optional()
        .map_err(storage_error)?
        .map(Call::try_from)
        .transpose()
}

/// One guarded `UPDATE`: SQLite runs one write at a time, so instances
/// sweeping at the same time fail each call once, and a call that finished meanwhile (or a
/// `status` that may not become `failed`) is left alone.
pub(crate) fn fail_stale(
    conn: &mut SqliteConnection,
    status: CallStatus,
    started_before: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let failable = status_texts(CallStatus::allowed_predecessors(CallStatus::Failed));
    let failed = diesel::update(
        calls::table
            .filter(calls::status.eq(status.as_str()))
            .filter(calls::status.eq_any(failable))
            .filter(calls::start_time.lt(micros(started_before))),
    )
    .set((
        calls::status.eq(CallStatus::Failed.as_str()),
        calls::failure_reason.eq(reason),
        calls::ended_at.eq(micros(now)),
    ))
    .execute(conn)
    .map_err(storage_error)?;
    Ok(u64::try_from(failed).unwrap_or(u64::MAX))
}

/// Only a `completed` call takes the provider's duration: a failed or canceled call was never
/// billed, and an unfinished one still gets its duration when it ends.
pub(crate) fn settle_duration(
    conn: &mut SqliteConnection,
    id: CallId,
    duration: u32,
) -> Result<bool, StorageError> {
    let updated = diesel::update(
        calls::table
            .find(id_text(id.as_uuid()))
            .filter(calls::status.eq(CallStatus::Completed.as_str())),
    )
    .set(calls::duration.eq(i32::try_from(duration).unwrap_or(i32::MAX)))
    .execute(conn)
    .map_err(storage_error)?;
    Ok(updated > 0)
}
