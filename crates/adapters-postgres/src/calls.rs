//! Call records: the `CallRepository` port. The history query lives in `history`, the per-user
//! counters and the stale-call sweep in `activity`.

use async_trait::async_trait;
use calls_core::domain::{
    Call, CallId, CallStatus, HistoryPage, HistoryQuery, NewCall, StatusChange, UserId,
};
use calls_core::ports::{
    CallRepository, CallStatusCounts, CreateCallError, RevocationKey, StorageError, TransitionError,
};
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;

use crate::errors::{is_foreign_key_violation, storage_error};
use crate::models::{CallChanges, CallRow, NewCallRow, status_texts};
use crate::schema::calls;
use crate::storage::PostgresStorage;
use crate::{activity, history, status_counts};

#[async_trait]
impl CallRepository for PostgresStorage {
    async fn create(&self, call: NewCall) -> Result<Call, CreateCallError> {
        self.db
            .run("create_call", move |conn| insert(conn, &call))
            .await
    }

    async fn get(&self, id: CallId) -> Result<Option<Call>, StorageError> {
        self.db
            .run("get_call", move |conn| {
                calls::table
                    .find(id.as_uuid())
                    .select(CallRow::as_select())
                    .first(conn)
                    .optional()
                    .map_err(storage_error)?
                    .map(Call::try_from)
                    .transpose()
            })
            .await
    }

    async fn transition(&self, id: CallId, change: StatusChange) -> Result<Call, TransitionError> {
        self.db
            .run("transition_call", move |conn| transition(conn, id, &change))
            .await
    }

    async fn settle_duration(&self, id: CallId, duration: u32) -> Result<bool, StorageError> {
        self.db
            .run("settle_call_duration", move |conn| {
                activity::settle_duration(conn, id, duration)
            })
            .await
    }

    async fn find_by_session_id(&self, session_id: &str) -> Result<Option<Call>, StorageError> {
        let session_id = session_id.to_owned();
        self.db
            .run("find_call_by_session", move |conn| {
                calls::table
                    .filter(calls::session_id.eq(session_id))
                    .select(CallRow::as_select())
                    .order((calls::start_time.desc(), calls::id.desc()))
                    .first(conn)
                    .optional()
                    .map_err(storage_error)?
                    .map(Call::try_from)
                    .transpose()
            })
            .await
    }

    async fn history(&self, query: HistoryQuery) -> Result<HistoryPage, StorageError> {
        self.db
            .run("call_history", move |conn| {
                // Without a revocation to check there is always a page.
                history::page(conn, &query, None)?.ok_or_else(|| {
                    StorageError::Unexpected("history without a revocation check".to_owned())
                })
            })
            .await
    }

    async fn history_unless_revoked(
        &self,
        query: HistoryQuery,
        revocation: RevocationKey,
    ) -> Result<Option<HistoryPage>, StorageError> {
        let now = Utc::now();
        self.db
            .run("call_history", move |conn| {
                history::page(conn, &query, Some((revocation.as_str(), now)))
            })
            .await
    }

    async fn count_in_progress(&self, user_id: UserId) -> Result<u64, StorageError> {
        self.db
            .run("count_calls_in_progress", move |conn| {
                activity::count_in_progress(conn, user_id)
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
                activity::count_started_since(conn, user_id, since)
            })
            .await
    }

    async fn find_pending_without_session(
        &self,
        user_id: UserId,
        since: DateTime<Utc>,
    ) -> Result<Option<Call>, StorageError> {
        self.db
            .run("find_pending_call_without_session", move |conn| {
                activity::find_pending_without_session(conn, user_id, since)
            })
            .await
    }

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
                activity::fail_stale(conn, status, started_before, &reason, now)
            })
            .await
    }
    async fn count_by_status(&self) -> Result<CallStatusCounts, StorageError> {
        self.db
            .run("count_calls_by_status", status_counts::count_by_status)
            .await
    }
}

fn insert(conn: &mut PgConnection, call: &NewCall) -> Result<Call, CreateCallError> {
    let row = diesel::insert_into(calls::table)
        .values(NewCallRow::new(call))
        .returning(CallRow::as_returning())
        .get_result(conn)
        .map_err(|error| {
            if is_foreign_key_violation(&error) {
                CreateCallError::UnknownUser
            } else {
                storage_error(error).into()
            }
        })?;
    Ok(Call::try_from(row)?)
}

/// One guarded `UPDATE ... WHERE id = $1 AND status = ANY($2) RETURNING ...`: the check and the
/// write are atomic, so concurrent updates can never move a call backwards. Only when nothing
/// matched is the row read, to tell "no such call" from "refused".
fn transition(
    conn: &mut PgConnection,
    id: CallId,
    change: &StatusChange,
) -> Result<Call, TransitionError> {
    let predecessors = status_texts(CallStatus::allowed_predecessors(change.status));
    let updated = diesel::update(
        calls::table
            .filter(calls::id.eq(id.as_uuid()))
            .filter(calls::status.eq_any(predecessors)),
    )
    .set(CallChanges::new(change)?)
    .returning(CallRow::as_returning())
    .get_result(conn)
    .optional()
    .map_err(storage_error)?;
    if let Some(row) = updated {
        return Ok(Call::try_from(row)?);
    }
    let current: Option<String> = calls::table
        .find(id.as_uuid())
        .select(calls::status)
        .first(conn)
        .optional()
        .map_err(storage_error)?;
    match current {
        None => Err(TransitionError::NotFound),
        Some(current) => {
            let current = current.parse().map_err(|_| {
                StorageError::Unexpected(format!("call {id} has an unknown status"))
            })?;
            Err(TransitionError::Refused {
                current,
                requested: change.status,
            })
        }
    }
}
