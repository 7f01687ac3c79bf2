//! The SQL of replica reads: the check on the primary, the page on the replica, the probes.

use calls_core::domain::{HistoryPage, HistoryQuery, UserId};
use calls_core::ports::{SessionRef, StorageError};
use calls_storage_diesel::errors::storage_error;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable};

use crate::columns::StoredId;
use crate::history;
use crate::rows::session_ended;
use crate::schema::user_call_counts;

/// What the primary says before a page is read on the replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrimaryCheck {
    /// The session's token is revoked: nothing is read.
    pub revoked: bool,
    /// Writes to the user's calls committed so far (the trigger-kept counter).
    pub writes: i64,
}

/// On the primary, in one statement: whether the session `session` names is over at `at`
/// (when there is a session), and the user's write count. One round trip, no transaction.
pub(crate) fn primary_check(
    conn: &mut PgConnection,
    user: UserId,
    session: Option<(&SessionRef, DateTime<Utc>)>,
) -> Result<PrimaryCheck, StorageError> {
    let writes = user_call_counts::table
        .find(StoredId(*user.as_uuid()))
        .select(user_call_counts::writes);
    let (revoked, writes) = match session {
        Some((key, at)) => diesel::select((session_ended(key, at), writes.single_value()))
            .get_result::<(bool, Option<i64>)>(conn),
        None => writes
            .first::<i64>(conn)
            .optional()
            .map(|writes| (false, writes)),
    }
    .map_err(storage_error)?;
    Ok(PrimaryCheck {
        revoked,
        writes: writes.unwrap_or(0),
    })
}

/// On the replica, in one statement: the page, or `None` when the user's write count as the
/// replica has replayed it is below `writes` (the replica has not replayed the user's last
/// write yet, so the page could miss it; no call is read then).
pub(crate) fn page_if_replayed(
    conn: &mut PgConnection,
    query: &HistoryQuery,
    writes: i64,
) -> Result<Option<HistoryPage>, StorageError> {
    let user = StoredId(*query.user_id.as_uuid());
    let replayed = || {
        user_call_counts::table
            .find(user)
            .select(user_call_counts::writes)
            .single_value()
    };
    let gate = history::ReplayGate {
        replayed: Box::new(replayed()),
        covers: Box::new(replayed().ge(writes)),
        writes,
    };
    match history::read(conn, query, None, Some(gate))? {
        history::Read::Page(page) => Ok(Some(page)),
        history::Read::NotReplayed => Ok(None),
        history::Read::Revoked => Err(StorageError::unexpected(
            "a revocation on the replica, which never checks one",
        )),
    }
}

/// The primary's current WAL write position, in bytes.
pub(crate) fn primary_wal_position(conn: &mut PgConnection) -> Result<i64, StorageError> {
    diesel::select(sql::<BigInt>(
        "(pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint",
    ))
    .get_result(conn)
    .map_err(storage_error)
}

/// The WAL position the replica has replayed, in bytes; `None` when the server is not a
/// standby (`pg_is_in_recovery()` is false: a primary, or a promoted replica).
pub(crate) fn replayed_wal_position(conn: &mut PgConnection) -> Result<Option<i64>, StorageError> {
    let (in_recovery, replayed) = diesel::select((
        sql::<Bool>("pg_is_in_recovery()"),
        sql::<Nullable<BigInt>>("(pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint"),
    ))
    .get_result::<(bool, Option<i64>)>(conn)
    .map_err(storage_error)?;
    Ok(replayed.filter(|_| in_recovery))
}
