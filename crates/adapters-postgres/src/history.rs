//! The call-history query: filtered, counted, ordered and paged by PostgreSQL.
//!
//! An unfiltered total is the trigger-kept `user_call_counts` row, read in the same statement as
//! the token revocation check when there is one; a filtered count and the page
//! come from the index `(user_id, start_time DESC, id DESC)`. A
//! cursor page seeks from the cursor's start time (see [`older_than`]), an index range, so page
//! 10 000 costs what page 2 costs.

use calls_core::domain::{HistoryCursor, HistoryPage, HistoryQuery, PagePosition};
use calls_core::ports::StorageError;
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::errors::storage_error;
use crate::models::{CallRow, calls_from_rows};
use crate::revocations::revoked_at;
use crate::schema::{calls, user_call_counts};

/// A token revocation to check in the history's snapshot: its key, and the time it must
/// still be valid at.
pub(crate) type RevocationCheck<'a> = (&'a str, DateTime<Utc>);

/// The page, or `None` when `revocation` names a revoked token (then no call is read).
pub(crate) fn page(
    conn: &mut PgConnection,
    query: &HistoryQuery,
    revocation: Option<RevocationCheck<'_>>,
) -> Result<Option<HistoryPage>, StorageError> {
    // One snapshot for the revocation, the count and the rows, so `total` agrees with the page
    // even while the user places calls, and a page is never read for a revoked token.
    let read = conn
        .build_transaction()
        .read_only()
        .repeatable_read()
        .run(|conn| {
            let Some(total) = total(conn, query, revocation)? else {
                return Ok::<_, diesel::result::Error>(None);
            };
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

/// How many calls match, or `None` when the token is revoked. Unfiltered, the trigger-kept
/// counter answers in one row lookup, so the first page of a user with 100,000 calls costs what
/// a user with 20 costs; the revocation is read in that same statement, so checking it costs no
/// round trip of its own on the hot path.
fn total(
    conn: &mut PgConnection,
    query: &HistoryQuery,
    revocation: Option<RevocationCheck<'_>>,
) -> Result<Option<i64>, diesel::result::Error> {
    let filter = &query.filter;
    let unfiltered =
        filter.date_from.is_none() && filter.date_to.is_none() && filter.status.is_none();
    let counter = user_call_counts::table
        .find(*query.user_id.as_uuid())
        .select(user_call_counts::total);
    match (unfiltered, revocation) {
        (true, None) => Ok(Some(counter.first(conn).optional()?.unwrap_or(0))),
        (true, Some((key, at))) => {
            let (counted, revoked): (Option<i64>, bool) =
                diesel::select((counter.single_value(), revoked_at(key, at))).get_result(conn)?;
            Ok((!revoked).then_some(counted.unwrap_or(0)))
        }
        (false, revocation) => {
            if let Some((key, at)) = revocation {
                if diesel::select(revoked_at(key, at)).get_result::<bool>(conn)? {
                    return Ok(None);
                }
            }
            filtered(query).count().get_result(conn).map(Some)
        }
    }
}

/// The user's calls that match the filter, in no particular order. Built twice (count and
/// page) because boxed queries cannot be cloned.
fn filtered(query: &HistoryQuery) -> calls::BoxedQuery<'static, Pg> {
    let mut statement = calls::table
        .filter(calls::user_id.eq(*query.user_id.as_uuid()))
        .into_boxed();
    if let Some(from) = query.filter.date_from {
        statement = statement.filter(calls::start_time.ge(from));
    }
    if let Some(to) = query.filter.date_to {
        statement = statement.filter(calls::start_time.le(to));
    }
    if let Some(status) = query.filter.status {
        statement = statement.filter(calls::status.eq(status.as_str()));
    }
    statement
}

/// One row more than the page holds: its presence says whether a next page exists.
fn page_rows(
    conn: &mut PgConnection,
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

/// Strictly after the cursor in the newest-first order (ties on the start time broken by id):
/// `start_time <= t AND (start_time < t OR id < cursor_id)`.
///
/// Written with diesel's operators rather than the row value `(start_time, id) < (t, id)`:
/// diesel caches the prepared statement only for queries built from its own DSL (a raw `sql`
/// fragment makes every cursor page a fresh parse and plan, which the benchmark saw as page
/// 1,000 costing 1.22x page 1). The redundant `start_time <= t` is what PostgreSQL turns into the
/// index range on `(user_id, start_time DESC, id DESC)`, so the scan starts at the cursor; the
/// `OR` only filters the rows that share the cursor's start time.
fn older_than(
    cursor: &HistoryCursor,
) -> Box<dyn BoxableExpression<calls::table, Pg, SqlType = Bool>> {
    let start = cursor.start_time;
    let id = *cursor.id.as_uuid();
    Box::new(
        calls::start_time
            .le(start)
            .and(calls::start_time.lt(start).or(calls::id.lt(id))),
    )
}
