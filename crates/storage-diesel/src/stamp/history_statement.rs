//! `stamp_history_statement!`: the whole history read as ONE SQL statement: whether the session
//! is revoked, the parts of the total, optionally the replayed write count of a replica, and
//! the page's rows.
//!
//! Why one statement: a history request used to cost `BEGIN READ ONLY`, the revocation and
//! total, the page and `COMMIT`: four round trips, measured by pgbench at a third of what the
//! database serves with the same information in one statement. A single statement also needs
//! no transaction for its answers to agree: it reads one snapshot by itself (PostgreSQL's
//! statement snapshot under READ COMMITTED; SQLite's read of one statement).
//!
//! Its shape, written out (`h` is a one-row anchor so that an empty page still returns the
//! header):
//!
//! ```sql
//! SELECT <revoked>, <whole days>, <head>, <tail>, <replayed writes>, p.id, …, p.ended_at
//! FROM (SELECT 1 AS one) AS h
//! LEFT JOIN (SELECT … FROM calls WHERE user_id = $1 … AND NOT <revoked> [AND <replayed>]
//!            ORDER BY start_time DESC, id DESC LIMIT $n [OFFSET $o]) AS p ON 1 = 1
//! ```
//!
//! The scalar subqueries do not depend on the rows, so both databases evaluate each once
//! (PostgreSQL as an InitPlan; `EXPLAIN` in docs/BENCHMARKS.md); a revoked token's page is a
//! one-time filter that is false, so no call row is read for it. The statement is built from
//! diesel's own fragments and never marks itself uncacheable, so diesel prepares it once per
//! connection and shape (its SQL text is the cache key).

/// Stamps `pub(crate) mod history_statement` into the calling backend crate.
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_history_statement {
    (backend: $($backend:ident)::+) => {
        pub(crate) mod history_statement {
            use diesel::dsl::SqlTypeOf;
            use diesel::prelude::*;
            use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
            use diesel::sql_types::{BigInt, Bool, Nullable};

            use crate::schema::calls;

            type Backend = $($backend)::+;

            /// A piece of SQL the statement embeds.
            pub(crate) type Fragment<'a> = Box<dyn QueryFragment<Backend> + Send + 'a>;

            /// The columns of a call, in `CallRow`'s field order.
            pub(crate) type CallColumns = (
                calls::id,
                calls::user_id,
                calls::phone_number,
                calls::country,
                calls::start_time,
                calls::duration,
                calls::status,
                calls::session_id,
                calls::sdp_offer,
                calls::failure_reason,
                calls::ended_at,
            );

            /// The same columns as the page subquery names them.
            const CALL_COLUMN_NAMES: [&str; 11] = [
                "id",
                "user_id",
                "phone_number",
                "country",
                "start_time",
                "duration",
                "status",
                "session_id",
                "sdp_offer",
                "failure_reason",
                "ended_at",
            ];

            /// The columns of a call, as a selection (diesel's columns are unit structs).
            pub(crate) fn call_columns() -> CallColumns {
                CallColumns::default()
            }

            /// The page's own query: the user's matching calls, ordered and limited.
            pub(crate) type PageQuery<'a> =
                calls::BoxedQuery<'a, Backend, SqlTypeOf<CallColumns>>;

            /// One row of the answer: the header (the same on every row) and a call, absent on
            /// the single row of an empty page.
            pub(crate) type AnswerRow<Call> = (
                bool,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                Option<Call>,
            );

            /// The statement. `revoked` is a `Bool` expression, `parts` and `replayed` are
            /// `Nullable<BigInt>` expressions; the page query carries its own gates.
            pub(crate) struct OneStatement<'a> {
                pub(crate) revoked: Fragment<'a>,
                pub(crate) parts: [Fragment<'a>; 3],
                pub(crate) replayed: Fragment<'a>,
                pub(crate) page: PageQuery<'a>,
            }

            impl QueryFragment<Backend> for OneStatement<'_> {
                fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
                    out.push_sql("SELECT ");
                    self.revoked.walk_ast(out.reborrow())?;
                    for part in &self.parts {
                        out.push_sql(", ");
                        part.walk_ast(out.reborrow())?;
                    }
                    out.push_sql(", ");
                    self.replayed.walk_ast(out.reborrow())?;
                    for column in CALL_COLUMN_NAMES {
                        out.push_sql(", p.");
                        out.push_identifier(column)?;
                    }
                    out.push_sql(" FROM (SELECT 1 AS one) AS h LEFT JOIN (");
                    QueryFragment::<Backend>::walk_ast(&self.page, out.reborrow())?;
                    out.push_sql(") AS p ON 1 = 1");
                    Ok(())
                }
            }

            impl QueryId for OneStatement<'_> {
                type QueryId = ();
                // Cached by its SQL text (one entry per shape), not by type.
                const HAS_STATIC_QUERY_ID: bool = false;
            }

            impl Query for OneStatement<'_> {
                type SqlType = (
                    Bool,
                    Nullable<BigInt>,
                    Nullable<BigInt>,
                    Nullable<BigInt>,
                    Nullable<BigInt>,
                    Nullable<SqlTypeOf<CallColumns>>,
                );
            }

            impl<Conn> RunQueryDsl<Conn> for OneStatement<'_> {}

            /// SQL `NULL` of type `Nullable<BigInt>`: a part with nothing to add.
            pub(crate) struct NullCount;

            impl QueryFragment<Backend> for NullCount {
                fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
                    out.push_sql("NULL");
                    Ok(())
                }
            }

            /// SQL false: no revocation to check.
            pub(crate) struct NotRevoked;

            impl QueryFragment<Backend> for NotRevoked {
                fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
                    out.push_sql("(1 = 0)");
                    Ok(())
                }
            }
        }
    };
}
