//! `stamp_call_history!`: the call-history read, filtered, counted, ordered and paged by the
//! database.
//!
//! An unfiltered total is the trigger-kept `user_call_counts` row; a filtered total sums the
//! trigger-kept `user_call_day_counts` rows of the range's whole days and counts the calls of its
//! partial end days (`crate::counted_days`); the page comes from the index
//! `(user_id, start_time DESC, id DESC)`. A cursor page seeks from the
//! cursor's start time (see `older_than`), an index range, so page 10 000 costs what page 2
//! costs.

/// Stamps `pub(crate) mod history` (the read itself) into the calling backend crate, the
/// inherent `read_history_here` (the read on the storage's own pool), and, with `impl: stamped`,
/// implements `CallHistory` for its storage type with it. The read runs in the snapshot the
/// backend's `crate::dialect::in_read_snapshot` opens, so the revocation, the total and the
/// rows agree.
///
/// `impl: by_backend` leaves `CallHistory` to the backend crate: PostgreSQL's routes pages to a
/// read replica when one is configured, and calls `read_history_here` otherwise.
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_call_history {
    (
        storage: $storage:ident,
        backend: $($backend:ident)::+,
        connection: $($connection:ident)::+,
        impl: stamped $(,)?
    ) => {
        $crate::stamp_call_history!(
            storage: $storage,
            backend: $($backend)::+,
            connection: $($connection)::+,
            impl: by_backend,
        );

        const _: () = {
            use calls_core::domain::{HistoryPage, HistoryQuery};
            use calls_core::ports::{CallHistory, SessionHistory, SessionRef, StorageError};

            #[async_trait::async_trait]
            impl CallHistory for $storage {
                async fn page(&self, query: HistoryQuery) -> Result<HistoryPage, StorageError> {
                    // Without a revocation to check there is always a page.
                    self.read_history_here(query, None).await?.ok_or_else(|| {
                        StorageError::unexpected("history without a revocation check")
                    })
                }

                async fn page_for_live_session(
                    &self,
                    query: HistoryQuery,
                    session: SessionRef,
                ) -> Result<SessionHistory, StorageError> {
                    let read = self.read_history_here(query, Some(session)).await?;
                    Ok(read.map_or(SessionHistory::SessionEnded, SessionHistory::Page))
                }
            }
        };
    };
    (
        storage: $storage:ident,
        backend: $($backend:ident)::+,
        connection: $($connection:ident)::+,
        impl: by_backend $(,)?
    ) => {
        pub(crate) mod history {
            use calls_core::domain::{
                CallStatus, HistoryCursor, HistoryPage, HistoryQuery, PagePosition,
            };
            use calls_core::ports::StorageError;
            use chrono::{DateTime, Utc};
            use diesel::dsl::sum;
            use diesel::prelude::*;
            use diesel::sql_types::Bool;
            use $crate::counted_days::CountedDays;
            use $crate::errors::storage_error;
            use $crate::history::assemble_page;

            use crate::columns::{StoredId, StoredTime};
            use crate::dialect::in_read_snapshot;
            use crate::rows::{CallRow, calls_from_rows, session_ended};
            use crate::schema::{calls, user_call_counts, user_call_day_counts};

            type Backend = $($backend)::+;
            type Connection = $($connection)::+;

            /// A session to check in the history's snapshot (see `rows::session_ended`), and
            /// the time it must still be valid at.
            pub(crate) type RevocationCheck<'a> = (&'a calls_core::ports::SessionRef, DateTime<Utc>);

            /// What a page is made of, as read: the total and the rows (one more than the
            /// page holds).
            pub(crate) type PageRead = (i64, Vec<CallRow>);

            /// The page, or `None` when `revocation` names a revoked token (then no call is
            /// read).
            pub(crate) fn page(
                conn: &mut Connection,
                query: &HistoryQuery,
                revocation: Option<RevocationCheck<'_>>,
            ) -> Result<Option<HistoryPage>, StorageError> {
                // One snapshot for the revocation, the count and the rows, so `total` agrees
                // with the page even while the user places calls, and a page is never read for
                // a revoked token.
                let read = in_read_snapshot(conn, |conn| read_in_snapshot(conn, query, revocation))
                    .map_err(storage_error)?;
                read.map(|read| assemble(query, read)).transpose()
            }

            /// The reads of [`page`], for a caller that has opened the snapshot itself (to read
            /// more in it, as the replica read does); `None` when the token is revoked.
            pub(crate) fn read_in_snapshot(
                conn: &mut Connection,
                query: &HistoryQuery,
                revocation: Option<RevocationCheck<'_>>,
            ) -> Result<Option<PageRead>, diesel::result::Error> {
                let Some(total) = total(conn, query, revocation)? else {
                    return Ok(None);
                };
                let rows = page_rows(conn, query)?;
                Ok(Some((total, rows)))
            }

            /// The page made of what [`read_in_snapshot`] read.
            pub(crate) fn assemble(
                query: &HistoryQuery,
                (total, rows): PageRead,
            ) -> Result<HistoryPage, StorageError> {
                Ok(assemble_page(query, total, calls_from_rows(rows)?))
            }

            /// How many calls match, or `None` when the token is revoked. Unfiltered, the
            /// trigger-kept counter answers in one row lookup, so the first page of a user with
            /// 100,000 calls costs what a user with 20 costs; the revocation is read in that
            /// same statement, so checking it costs no round trip of its own on the hot path.
            fn total(
                conn: &mut Connection,
                query: &HistoryQuery,
                revocation: Option<RevocationCheck<'_>>,
            ) -> Result<Option<i64>, diesel::result::Error> {
                let filter = &query.filter;
                let unfiltered = filter.date_from.is_none()
                    && filter.date_to.is_none()
                    && filter.status.is_none();
                let counter = user_call_counts::table
                    .find(StoredId(*query.user_id.as_uuid()))
                    .select(user_call_counts::total);
                match (unfiltered, revocation) {
                    (true, None) => Ok(Some(counter.first(conn).optional()?.unwrap_or(0))),
                    (true, Some((key, at))) => {
                        let (counted, revoked): (Option<i64>, bool) =
                            diesel::select((counter.single_value(), session_ended(key, at)))
                                .get_result(conn)?;
                        Ok((!revoked).then_some(counted.unwrap_or(0)))
                    }
                    (false, revocation) => filtered_total(conn, query, revocation),
                }
            }

            /// A filtered total from the per-day counters: the whole days of the range summed,
            /// the calls of its partial first and last days counted (see `CountedDays`), and the
            /// revocation, all in one statement.
            fn filtered_total(
                conn: &mut Connection,
                query: &HistoryQuery,
                revocation: Option<RevocationCheck<'_>>,
            ) -> Result<Option<i64>, diesel::result::Error> {
                let filter = &query.filter;
                let days = CountedDays::of(filter.date_from, filter.date_to);
                let user = StoredId(*query.user_id.as_uuid());
                // Always a status list, so that the statement has one shape whether or not
                // the filter names a status.
                let statuses: Vec<&'static str> = match filter.status {
                    Some(status) => vec![status.as_str()],
                    None => CallStatus::ALL.iter().map(|status| status.as_str()).collect(),
                };
                let (first, last) = days.whole_days;
                let whole = user_call_day_counts::table
                    .filter(user_call_day_counts::user_id.eq(user))
                    .filter(user_call_day_counts::day.between(first, last))
                    .filter(user_call_day_counts::status.eq_any(statuses.clone()))
                    .select(sum(user_call_day_counts::total))
                    .single_value();
                let head = calls::table
                    .filter(calls::user_id.eq(user))
                    .filter(calls::start_time.ge(StoredTime(days.head.0)))
                    .filter(calls::start_time.lt(StoredTime(days.head.1)))
                    .filter(calls::status.eq_any(statuses.clone()))
                    .count()
                    .single_value();
                let tail = calls::table
                    .filter(calls::user_id.eq(user))
                    .filter(calls::start_time.ge(StoredTime(days.tail.0)))
                    .filter(calls::start_time.le(StoredTime(days.tail.1)))
                    .filter(calls::status.eq_any(statuses))
                    .count()
                    .single_value();
                let (parts, revoked): ((Option<i64>, Option<i64>, Option<i64>), bool) =
                    match revocation {
                        Some((key, at)) => {
                            let (whole, head, tail, revoked) =
                                diesel::select((whole, head, tail, session_ended(key, at)))
                                    .get_result(conn)?;
                            ((whole, head, tail), revoked)
                        }
                        None => (diesel::select((whole, head, tail)).get_result(conn)?, false),
                    };
                let (whole, head, tail) = parts;
                Ok((!revoked)
                    .then(|| whole.unwrap_or(0) + head.unwrap_or(0) + tail.unwrap_or(0)))
            }

            /// The user's calls that match the filter, in no particular order: the page's rows
            /// (the filtered total is counted by `filtered_total`).
            fn filtered(query: &HistoryQuery) -> calls::BoxedQuery<'static, Backend> {
                let mut statement = calls::table
                    .filter(calls::user_id.eq(StoredId(*query.user_id.as_uuid())))
                    .into_boxed();
                if let Some(from) = query.filter.date_from {
                    statement = statement.filter(calls::start_time.ge(StoredTime(from)));
                }
                if let Some(to) = query.filter.date_to {
                    statement = statement.filter(calls::start_time.le(StoredTime(to)));
                }
                if let Some(status) = query.filter.status {
                    statement = statement.filter(calls::status.eq(status.as_str()));
                }
                statement
            }

            /// One row more than the page holds: its presence says whether a next page exists.
            fn page_rows(
                conn: &mut Connection,
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

            /// Strictly after the cursor in the newest-first order (ties on the start time
            /// broken by id): `start_time <= t AND (start_time < t OR id < cursor_id)`.
            ///
            /// Written with diesel's operators rather than the row value
            /// `(start_time, id) < (t, id)`: diesel caches the prepared statement only for
            /// queries built from its own DSL (a raw `sql` fragment makes every cursor page a
            /// fresh parse and plan, which the benchmark saw as page 1,000 costing 1.22x page
            /// 1). The redundant `start_time <= t` is what the planner turns into the index
            /// range on `(user_id, start_time DESC, id DESC)`, so the scan starts at the cursor;
            /// the `OR` only filters the rows that share the cursor's start time. Ids compare
            /// as UUIDs in PostgreSQL and as lower-case hyphenated text in SQLite: the same
            /// order.
            fn older_than(
                cursor: &HistoryCursor,
            ) -> Box<dyn BoxableExpression<calls::table, Backend, SqlType = Bool>> {
                let start = StoredTime(cursor.start_time);
                let id = StoredId(*cursor.id.as_uuid());
                Box::new(
                    calls::start_time
                        .le(start)
                        .and(calls::start_time.lt(start).or(calls::id.lt(id))),
                )
            }
        }

        impl $storage {
            /// A history page read on this storage's own pool, checking `session`'s
            /// revocation (as of now) in the page's snapshot when given: `None` when it is
            /// revoked. What `CallHistory` does when no read replica is involved.
            pub(crate) async fn read_history_here(
                &self,
                query: calls_core::domain::HistoryQuery,
                session: Option<calls_core::ports::SessionRef>,
            ) -> Result<Option<calls_core::domain::HistoryPage>, calls_core::ports::StorageError>
            {
                let now = chrono::Utc::now();
                self.db
                    .run("call_history", move |conn| {
                        let revocation = session.as_ref().map(|session| (session, now));
                        crate::history::page(conn, &query, revocation)
                    })
                    .await
            }
        }
    };
}
