//! The call-history query: filtered, counted, ordered and paged by SQLite.
//!
//! An unfiltered total is the trigger-kept `user_call_counts` row; a filtered count and the page
//! use the index `(user_id, start_time DESC, id DESC)`. A cursor page
//! seeks with the row value `(start_time, id) < (?, ?)`, which SQLite answers from that index.

use calls_core::domain::{HistoryCursor, HistoryPage, HistoryQuery, PagePosition};
use calls_core::ports::StorageError;
use chrono::{DateTime, Utc};
use diesel::SqliteConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::sqlite::Sqlite;

use crate::errors::storage_error;
use crate::models::{CallRow, calls_from_rows, id_text, micros};
use crate::revocations::revoked_at;
use crate::schema::{calls, user_call_counts};

/// A token revocation to check in the history's snapshot: its key, and the time it must
/// still be valid at.
pub(crate) type RevocationCheck<'a> = (&'a str, DateTime<Utc>);

/// The page, or `None` when `revocation` names a revoked token (then no call is read).
pub(crate) fn page(
    conn: &mut SqliteConnection,
    query: &HistoryQuery,
    revocation: Option<RevocationCheck<'_>>,
) -> Result<Option<HistoryPage>, StorageError> {
    // One read transaction, so the revocation, the count and the rows come from the same
    // snapshot. (Embedded: the extra statement costs no round trip.)
    let read = conn
        .transaction(|conn| {
            if let Some((key, at)) = revocation {
                let revoked: bool = diesel::select(revoked_at(key, at)).get_result(conn)?;
                if revoked {
                    return Ok::<_, diesel::result::Error>(None);
                }
            }
            let total = total(conn, query)?;
            let rows = page_rows(conn, query)?;
            Ok(Some((total, rows)))
        })
        .map_err(storage_error)?;
    let Some((total, mut rows)) = read else {
        return Ok(None);
    };
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let calls = calls_from_rows(rows)?;
    let next_cursor = if more {
        calls.last().map(|last| query.cursor_after(last))
    } else {
        None
    };
    Ok(Some(HistoryPage {
        calls,
        total: u64::try_from(total).unwrap_or(0),
        next_cursor,
    }))
}

/// How many calls match. Unfiltered, the trigger-kept counter answers in one row lookup, so the
/// first page of a user with 100,000 calls costs what a user with 20 costs.
fn total(conn: &mut SqliteConnection, query: &HistoryQuery) -> Result<i64, diesel::result::Error> {
    let filter = &query.filter;
    if filter.date_from.is_none() && filter.date_to.is_none() && filter.status.is_none() {
        let counted: Option<i64> = user_call_counts::table
            .find(id_text(query.user_id.as_uuid()))
            .select(user_call_counts::total)
            .first(conn)
            .optional()?;
        return Ok(counted.unwrap_or(0));
    }
    filtered(query).count().get_result(conn)
}

/// The user's calls that match the filter, in no particular order. Built twice (count and
/// page) because boxed queries cannot be cloned.
fn filtered(query: &HistoryQuery) -> calls::BoxedQuery<'static, Sqlite> {
    let mut statement = calls::table
        .filter(calls::user_id.eq(id_text(query.user_id.as_uuid())))
        .into_boxed();
    if let Some(from) = query.filter.date_from {
        statement = statement.filter(calls::start_time.ge(micros(from)));
    }
    if let Some(to) = query.filter.date_to {
        statement = statement.filter(calls::start_time.le(micros(to)));
    }
    if let Some(status) = query.filter.status {
        statement = statement.filter(calls::status.eq(status.as_str()));
    }
    statement
}

/// One row more than the page holds: its presence says whether a next page exists.
fn page_rows(
    conn: &mut SqliteConnection,
    query: &HistoryQuery,
) -> Result<Vec<CallRow>, diesel::result::Error> {
    let mut statement = filtered(query)
        .select(CallRow::as_select())
        .order((calls::start_time.desc(), calls::id.desc()))
        .limit(i64::from(query.limit) + 1);
    match &query.position {
        PagePosition::Number(_) => {
            let offset = i64::try_from(query.offset()).unwrap_or(i64::MAX);
            statement = statement.offset(offset);
        }
        PagePosition::After(cursor) => {
            statement = statement.filter(older_than(cursor));
        }
    }
    statement.load(conn)
}

/// `(start_time, id) < (cursor.start_time, cursor.id)`: strictly after the cursor in the
/// newest-first order, ties on the start time broken by id (UUID text sorts like the UUID).
fn older_than(
    cursor: &HistoryCursor,
) -> Box<dyn BoxableExpression<calls::table, Sqlite, SqlType = Bool>> {
    Box::new(
        sql::<Bool>("(calls.start_time, calls.id) < (")
            .bind::<BigInt, _>(micros(cursor.start_time))
            .sql(", ")
            .bind::<Text, _>(id_text(cursor.id.as_uuid()))
            .sql(")"),
    )
}
