//! `stamp_call_history!`: the call-history read, filtered, counted, ordered and paged by the
//! database, in one statement (`crate::stamp::history_statement`).
//!
//! An unfiltered total is the trigger-kept `user_call_counts` row; a filtered total sums the
//! trigger-kept `user_call_day_counts` rows of the range's whole days and counts the calls of its
//! partial end days (`crate::counted_days`); the page comes from the index
//! `(user_id, start_time DESC, id DESC)`. A cursor page seeks from the
//! cursor's start time (see `older_than`), an index range, so page 10 000 costs what page 2
//! costs.

/// Stamps `pub(crate) mod history` (the read itself) into the calling backend crate, the
/// inherent `read_history_here` (the read on the storage's own pool), and, with `impl: stamped`,
/// implements `CallHistory` for its storage type with it. The read is one statement, so the
/// revocation, the total and the rows agree without a transaction.
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
        $crate::stamp_history_statement!(backend: $($backend)::+);

        pub(crate) mod history {
            use calls_core::domain::{
                CallStatus, HistoryCursor, HistoryPage, HistoryQuery, PagePosition,
            };
            use calls_core::ports::StorageError;
            use chrono::{DateTime, Utc};
            use diesel::dsl::{not, sum};
            use diesel::prelude::*;
            use diesel::sql_types::{Bool, Nullable};
            use $crate::counted_days::{CountedDays, day_of};
            use $crate::errors::storage_error;
            use $crate::history::assemble_page;

            use crate::columns::{StoredId, StoredTime};
            use crate::history_statement::{
                AnswerRow, Fragment, NotRevoked, NullCount, OneStatement, PageQuery,
            };
            use crate::rows::{CallRow, calls_from_rows, session_ended};
            use crate::schema::{calls, user_call_counts, user_call_day_counts};

            type Backend = $($backend)::+;
            type Connection = $($connection)::+;

            /// A session to check in the history's statement (see `rows::session_ended`), and
            /// the time it must still be valid at.
            pub(crate) type RevocationCheck<'a> = (&'a calls_core::ports::SessionRef, DateTime<Utc>);

            /// What a read on a replica also asks: how many of the user's writes the replica
            /// has replayed (`replayed`, a `Nullable<BigInt>` expression), and that the page be
            /// read only when that is at least `writes` (`covers`, the same count compared).
            pub(crate) struct ReplayGate<'a> {
                pub(crate) replayed: Fragment<'a>,
                pub(crate) covers: Box<
                    dyn BoxableExpression<calls::table, Backend, SqlType = Nullable<Bool>> + 'a,
                >,
                pub(crate) writes: i64,
            }

            /// What one history statement found.
            #[derive(Debug)]
            pub(crate) enum Read {
                /// The session's token is revoked: no call was read.
                Revoked,
                /// The replica has not replayed the user's last write: no call was read.
                NotReplayed,
                Page(HistoryPage),
            }

            /// The page, or `None` when `revocation` names a revoked token (then no call is
            /// read): one statement (see `crate::history_statement`).
            pub(crate) fn page(
                conn: &mut Connection,
                query: &HistoryQuery,
                revocation: Option<RevocationCheck<'_>>,
            ) -> Result<Option<HistoryPage>, StorageError> {
                page_of(read(conn, query, revocation, None)?)
            }

            /// A read without a replay gate as [`page`] answers it.
            pub(crate) fn page_of(read: Read) -> Result<Option<HistoryPage>, StorageError> {
                match read {
                    Read::Page(page) => Ok(Some(page)),
                    Read::Revoked => Ok(None),
                    Read::NotReplayed => Err(StorageError::unexpected(
                        "a replay gate without a replica",
                    )),
                }
            }

            /// The revocation, the total, the replay check (when `replay` is given) and the
            /// page, in one statement: one round trip, no transaction, one snapshot.
            pub(crate) fn read(
                conn: &mut Connection,
                query: &HistoryQuery,
                revocation: Option<RevocationCheck<'_>>,
                replay: Option<ReplayGate<'_>>,
            ) -> Result<Read, StorageError> {
                let (statement, writes) = statement(query, revocation, replay);
                let rows = statement
                    .load::<AnswerRow<CallRow>>(conn)
                    .map_err(storage_error)?;
                interpret(query, rows, writes)
            }

            /// The statement [`read`] sends, and the write count a replay gate asks for:
            /// apart, so that a connection other than `Connection` (PostgreSQL's pipelined
            /// one) can send the very same statement.
            pub(crate) fn statement<'a>(
                query: &HistoryQuery,
                revocation: Option<RevocationCheck<'a>>,
                replay: Option<ReplayGate<'a>>,
            ) -> (OneStatement<'a>, Option<i64>) {
                let (replayed, covers, writes) = match replay {
                    Some(gate) => (gate.replayed, Some(gate.covers), Some(gate.writes)),
                    None => (Box::new(NullCount) as Fragment<'_>, None, None),
                };
                let mut page = page_query(query);
                if let Some((key, at)) = revocation {
                    page = page.filter(not(session_ended(key, at)));
                }
                if let Some(covers) = covers {
                    page = page.filter(covers);
                }
                let revoked: Fragment<'_> = match revocation {
                    Some((key, at)) => Box::new(session_ended(key, at)),
                    None => Box::new(NotRevoked),
                };
                let statement = OneStatement {
                    revoked,
                    parts: total_parts(query),
                    replayed,
                    page,
                };
                (statement, writes)
            }

            /// What the rows of [`statement`] say (`writes`: the write count its replay gate
            /// asked for, if any).
            pub(crate) fn interpret(
                query: &HistoryQuery,
                rows: Vec<AnswerRow<CallRow>>,
                writes: Option<i64>,
            ) -> Result<Read, StorageError> {
                let Some(header) = rows.first() else {
                    return Err(StorageError::unexpected(
                        "a history statement without its header",
                    ));
                };
                let (revoked, whole, head, tail, replayed) =
                    (header.0, header.1, header.2, header.3, header.4);
                if revoked {
                    return Ok(Read::Revoked);
                }
                if writes.is_some_and(|writes| replayed.unwrap_or(0) < writes) {
                    return Ok(Read::NotReplayed);
                }
                let total = whole.unwrap_or(0) + head.unwrap_or(0) + tail.unwrap_or(0);
                let mut calls = calls_from_rows(rows.into_iter().filter_map(|row| row.5).collect())?;
                // The join keeps the subquery's order in practice, but SQL does not promise it.
                calls.sort_by(|a, b| {
                    (b.start_time, b.id.as_uuid()).cmp(&(a.start_time, a.id.as_uuid()))
                });
                Ok(Read::Page(assemble_page(query, total, calls)))
            }

            /// The total's three parts. Unfiltered: the trigger-kept counter row (so the first
            /// page of a user with 100,000 calls costs what a user with 20 costs) and two
            /// `NULL`s; filtered: see [`filtered_total_parts`].
            fn total_parts<'a>(query: &HistoryQuery) -> [Fragment<'a>; 3] {
                let filter = &query.filter;
                let unfiltered = filter.date_from.is_none()
                    && filter.date_to.is_none()
                    && filter.status.is_none();
                if unfiltered {
                    let counter = user_call_counts::table
                        .find(StoredId(*query.user_id.as_uuid()))
                        .select(user_call_counts::total)
                        .single_value();
                    return [Box::new(counter), Box::new(NullCount), Box::new(NullCount)];
                }
                filtered_total_parts(query)
            }

            /// A filtered total from the per-day counters: the whole days of the range summed,
            /// and the calls of its partial first and last days counted (see `CountedDays`).
            fn filtered_total_parts<'a>(query: &HistoryQuery) -> [Fragment<'a>; 3] {
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
                if filter.status.is_none() {
                    let whole = WholeDaysOfEveryStatus {
                        user,
                        from_day: filter.date_from.map_or(i32::MIN, day_of),
                        to_day: filter.date_to.map_or(i32::MAX, day_of),
                        first,
                        last,
                    };
                    let [_, head, tail] = partial_days(user, &days, None);
                    return [Box::new(whole), head, tail];
                }
                let whole = user_call_day_counts::table
                    .filter(user_call_day_counts::user_id.eq(user))
                    .filter(user_call_day_counts::day.between(first, last))
                    .filter(user_call_day_counts::status.eq_any(statuses.clone()))
                    .select(sum(user_call_day_counts::total))
                    .single_value();
                let [_, head, tail] = partial_days(user, &days, Some(statuses));
                [Box::new(whole), head, tail]
            }

            /// The calls of the range's partial first and last days, counted from the index;
            /// the first slot is left for the whole days. Without `statuses` every call counts,
            /// and the count is an index-only scan (the status is not in the index, so a
            /// status filter reads each call's row).
            fn partial_days<'a>(
                user: StoredId,
                days: &CountedDays,
                statuses: Option<Vec<&'static str>>,
            ) -> [Fragment<'a>; 3] {
                let in_range = |from: StoredTime| {
                    let mut count = calls::table
                        .filter(calls::user_id.eq(user))
                        .filter(calls::start_time.ge(from))
                        .into_boxed();
                    if let Some(statuses) = &statuses {
                        count = count.filter(calls::status.eq_any(statuses.clone()));
                    }
                    count
                };
                let head = in_range(StoredTime(days.head.0))
                    .filter(calls::start_time.lt(StoredTime(days.head.1)))
                    .count()
                    .single_value();
                let tail = in_range(StoredTime(days.tail.0))
                    .filter(calls::start_time.le(StoredTime(days.tail.1)))
                    .count()
                    .single_value();
                [Box::new(NullCount), Box::new(head), Box::new(tail)]
            }

            /// The whole days' part of a total filtered by dates only, read from whichever
            /// counter rows are fewer. When the range's days cover every day the user has
            /// calls on (the usual "last year" of an account younger than that), the whole
            /// days are the user's total minus the days outside them, at most the range's two
            /// partial days: a handful of counter rows instead of one per day and status of
            /// the range. Otherwise the whole days' rows are summed. The user's first and last
            /// day come from the counters' primary key (two index probes), and both databases
            /// evaluate only the branch the `CASE` takes.
            struct WholeDaysOfEveryStatus {
                user: StoredId,
                /// The days of the range's ends (`MIN`/`MAX` when open).
                from_day: i32,
                to_day: i32,
                /// The whole days (see `CountedDays`).
                first: i32,
                last: i32,
            }

            impl diesel::query_builder::QueryFragment<Backend> for WholeDaysOfEveryStatus {
                fn walk_ast<'b>(
                    &'b self,
                    mut out: diesel::query_builder::AstPass<'_, 'b, Backend>,
                ) -> QueryResult<()> {
                    type UserSql = diesel::dsl::SqlTypeOf<user_call_day_counts::user_id>;
                    type Day = diesel::sql_types::Integer;
                    let days = "FROM user_call_day_counts WHERE user_id = ";
                    out.push_sql("(CASE WHEN ");
                    out.push_bind_param::<Day, _>(&self.from_day)?;
                    out.push_sql(" <= (SELECT min(day) ");
                    out.push_sql(days);
                    out.push_bind_param::<UserSql, _>(&self.user)?;
                    out.push_sql(") AND ");
                    out.push_bind_param::<Day, _>(&self.to_day)?;
                    out.push_sql(" >= (SELECT max(day) ");
                    out.push_sql(days);
                    out.push_bind_param::<UserSql, _>(&self.user)?;
                    out.push_sql(") THEN (SELECT total FROM user_call_counts WHERE user_id = ");
                    out.push_bind_param::<UserSql, _>(&self.user)?;
                    out.push_sql(") - coalesce((SELECT sum(total) ");
                    out.push_sql(days);
                    out.push_bind_param::<UserSql, _>(&self.user)?;
                    out.push_sql(" AND day < ");
                    out.push_bind_param::<Day, _>(&self.first)?;
                    out.push_sql("), 0) - coalesce((SELECT sum(total) ");
                    out.push_sql(days);
                    out.push_bind_param::<UserSql, _>(&self.user)?;
                    out.push_sql(" AND day > ");
                    out.push_bind_param::<Day, _>(&self.last)?;
                    out.push_sql("), 0) ELSE (SELECT sum(total) ");
                    out.push_sql(days);
                    out.push_bind_param::<UserSql, _>(&self.user)?;
                    out.push_sql(" AND day BETWEEN ");
                    out.push_bind_param::<Day, _>(&self.first)?;
                    out.push_sql(" AND ");
                    out.push_bind_param::<Day, _>(&self.last)?;
                    out.push_sql(") END)");
                    Ok(())
                }
            }

            /// The user's calls that match the filter, in no particular order: the page's rows
            /// (the filtered total is counted by `filtered_total_parts`).
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
            fn page_query(query: &HistoryQuery) -> PageQuery<'static> {
                let mut statement = filtered(query)
                    .select(crate::history_statement::call_columns())
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
                statement
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
