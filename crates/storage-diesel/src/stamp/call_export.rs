//! `stamp_call_export!`: a user's calls in full, one keyset page at a time, for the account
//! export.

/// Implements `CallExport` for the calling crate's storage type.
///
/// Each page is one statement on its own pooled connection, released before the page is
/// handed out: an export streams at the client's pace, and a slow download must not hold a
/// connection (25 by default) or, on PostgreSQL, a snapshot that keeps vacuum from cleaning up.
/// The seek `(start_time, id)` strictly older than the last exported call is the history
/// cursor's (see `stamp_call_history!`'s `older_than`): an index range on
/// `(user_id, start_time DESC, id DESC)`, so page 100 costs what page 1 costs.
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_call_export {
    (storage: $storage:ident, backend: $($backend:ident)::+ $(,)?) => {
        const _: () = {
            use calls_core::domain::{CallId, ExportPosition, ExportedCall, UserId};
            use calls_core::ports::{CallExport, StorageError};
            use diesel::prelude::*;
            use $crate::conversions::{parse_duration, parse_status};
            use $crate::errors::storage_error;

            use crate::columns::{StoredId, StoredTime};
            use crate::schema::calls;

            /// Every column of a call the export shows. `created_at` is nullable in
            /// PostgreSQL (the Go schema) and not in SQLite, hence selected as nullable.
            #[derive(Debug, Queryable, Selectable)]
            #[diesel(table_name = calls, check_for_backend($($backend)::+))]
            struct ExportRow {
                id: StoredId,
                phone_number: String,
                country: Option<String>,
                start_time: StoredTime,
                #[diesel(select_expression = calls::created_at.nullable())]
                #[diesel(select_expression_type = diesel::dsl::Nullable<calls::created_at>)]
                created_at: Option<StoredTime>,
                ended_at: Option<StoredTime>,
                duration: Option<i32>,
                status: String,
                session_id: Option<String>,
                dialled_session_id: Option<String>,
                sdp_offer: Option<String>,
                sdp_answer: Option<String>,
                failure_reason: Option<String>,
            }

            impl TryFrom<ExportRow> for ExportedCall {
                type Error = StorageError;

                fn try_from(row: ExportRow) -> Result<Self, StorageError> {
                    let of = format_args!("call {}", row.id.0).to_string();
                    Ok(Self {
                        id: CallId::from_uuid(row.id.0),
                        phone_number: row.phone_number,
                        country: row.country,
                        start_time: row.start_time.0,
                        created_at: row.created_at.map(|time| time.0),
                        ended_at: row.ended_at.map(|time| time.0),
                        duration: parse_duration(row.duration, &of)?,
                        status: parse_status(&row.status, &of)?,
                        session_id: row.session_id,
                        dialled_session_id: row.dialled_session_id,
                        sdp_offer: row.sdp_offer,
                        sdp_answer: row.sdp_answer,
                        failure_reason: row.failure_reason,
                    })
                }
            }

            #[async_trait::async_trait]
            impl CallExport for $storage {
                async fn export_page(
                    &self,
                    user: UserId,
                    after: Option<ExportPosition>,
                    limit: u32,
                ) -> Result<Vec<ExportedCall>, StorageError> {
                    if limit == 0 {
                        return Ok(Vec::new());
                    }
                    self.db
                        .run("export_calls", move |conn| {
                            let mut statement = calls::table
                                .filter(calls::user_id.eq(StoredId(*user.as_uuid())))
                                .select(ExportRow::as_select())
                                .order((calls::start_time.desc(), calls::id.desc()))
                                .limit(i64::from(limit))
                                .into_boxed();
                            if let Some(after) = after {
                                let start = StoredTime(after.start_time);
                                let id = StoredId(*after.id.as_uuid());
                                // `start_time <= t` gives the planner the index range; the
                                // `OR` only sorts out the rows sharing the last start time.
                                statement = statement.filter(
                                    calls::start_time
                                        .le(start)
                                        .and(calls::start_time.lt(start).or(calls::id.lt(id))),
                                );
                            }
                            let rows: Vec<ExportRow> =
                                statement.load(conn).map_err(storage_error)?;
                            rows.into_iter().map(ExportedCall::try_from).collect()
                        })
                        .await
                }
            }
        };
    };
}
