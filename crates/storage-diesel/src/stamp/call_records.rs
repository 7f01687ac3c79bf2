//! `stamp_call_records!`: single calls, created, read and moved through their statuses.

/// Implements `CallRecords` for the calling crate's storage type, over the rows of
/// [`stamp_rows!`](crate::stamp_rows).
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_call_records {
    ($storage:ident) => {
        const _: () = {
            use calls_core::domain::{
                Call, CallId, CallStatus, NewCall, ReportUpdate, StatusChange, UserId,
            };
            use calls_core::ports::{
                ApplyReportError, CallRecords, CreateCallError, ReportGuard, ReportState,
                StorageError, TransitionError,
            };
            use chrono::{DateTime, Utc};
            use diesel::prelude::*;
            use $crate::conversions::{parse_status, sequence_column, status_texts};
            use $crate::errors::{is_foreign_key_violation, storage_error};

            use crate::columns::{StoredId, StoredTime};
            use crate::rows::{
                CallChanges, CallRow, LedgerRow, NewCallRow, ReportChanges, calls_from_rows,
                found_call,
            };
            use crate::schema::calls;

            #[async_trait::async_trait]
            impl CallRecords for $storage {
                async fn create(&self, call: NewCall) -> Result<Call, CreateCallError> {
                    self.db
                        .run("create_call", move |conn| {
                            let row = diesel::insert_into(calls::table)
                                .values(NewCallRow::new(&call))
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
                        })
                        .await
                }

                async fn get(&self, id: CallId) -> Result<Option<Call>, StorageError> {
                    self.db
                        .run("get_call", move |conn| {
                            let by_id = calls::table.find(StoredId(*id.as_uuid()));
                            found_call(by_id.select(CallRow::as_select()).first(conn).optional())
                        })
                        .await
                }

                /// One guarded `UPDATE ... WHERE id = ? AND status IN (...) RETURNING ...`: the
                /// check and the write are atomic, so concurrent updates can never move a call
                /// backwards. It moves the report ledger's version on, so that a report decided
                /// on the call as it was is not written over this change. Only when nothing
                /// matched is the row read, to tell "no such call" from "refused".
                async fn transition(
                    &self,
                    id: CallId,
                    change: StatusChange,
                ) -> Result<Call, TransitionError> {
                    self.db
                        .run("transition_call", move |conn| {
                            let stored = StoredId(*id.as_uuid());
                            let predecessors =
                                status_texts(CallStatus::allowed_predecessors(change.status));
                            let updated = diesel::update(
                                calls::table
                                    .filter(calls::id.eq(stored))
                                    .filter(calls::status.eq_any(predecessors)),
                            )
                            .set((
                                CallChanges::new(&change)?,
                                calls::report_version.eq(calls::report_version + 1),
                            ))
                            .returning(CallRow::as_returning())
                            .get_result(conn)
                            .optional()
                            .map_err(storage_error)?;
                            if let Some(row) = updated {
                                return Ok(Call::try_from(row)?);
                            }
                            let current: Option<String> = calls::table
                                .find(stored)
                                .select(calls::status)
                                .first(conn)
                                .optional()
                                .map_err(storage_error)?;
                            match current {
                                None => Err(TransitionError::NotFound),
                                Some(current) => Err(TransitionError::Refused {
                                    current: parse_status(&current, format_args!("call {id}"))?,
                                    requested: change.status,
                                }),
                            }
                        })
                        .await
                }

                async fn report_state(
                    &self,
                    id: CallId,
                ) -> Result<Option<ReportState>, StorageError> {
                    self.db
                        .run("get_call_report_state", move |conn| {
                            let Some((call, ledger)) = calls::table
                                .find(StoredId(*id.as_uuid()))
                                .select((CallRow::as_select(), LedgerRow::as_select()))
                                .first::<(CallRow, LedgerRow)>(conn)
                                .optional()
                                .map_err(storage_error)?
                            else {
                                return Ok(None);
                            };
                            Ok(Some(ReportState {
                                call: Call::try_from(call)?,
                                ledger: ledger.into_ledger(&format!("call {id}"))?,
                            }))
                        })
                        .await
                }

                /// One `UPDATE ... WHERE id = ? AND status = ? AND report_version = ?`: a
                /// compare-and-set, so of two racing reports the second finds the version moved
                /// and is decided again. Only when nothing matched is the row looked for, to
                /// tell "no such call" from "changed".
                async fn apply_report(
                    &self,
                    id: CallId,
                    guard: ReportGuard,
                    update: ReportUpdate,
                ) -> Result<Call, ApplyReportError> {
                    self.db
                        .run("apply_call_report", move |conn| {
                            let stored = StoredId(*id.as_uuid());
                            let version = sequence_column(guard.version)?;
                            let updated = diesel::update(
                                calls::table
                                    .filter(calls::id.eq(stored))
                                    .filter(calls::status.eq(guard.status.as_str()))
                                    .filter(calls::report_version.eq(version)),
                            )
                            .set((
                                ReportChanges::new(&update)?,
                                calls::report_version.eq(calls::report_version + 1),
                            ))
                            .returning(CallRow::as_returning())
                            .get_result(conn)
                            .optional()
                            .map_err(storage_error)?;
                            if let Some(row) = updated {
                                return Ok(Call::try_from(row)?);
                            }
                            let exists: bool =
                                diesel::select(diesel::dsl::exists(calls::table.find(stored)))
                                    .get_result(conn)
                                    .map_err(storage_error)?;
                            Err(if exists {
                                ApplyReportError::Changed
                            } else {
                                ApplyReportError::NotFound
                            })
                        })
                        .await
                }

                async fn find_by_session_id(
                    &self,
                    session_id: &str,
                ) -> Result<Option<Call>, StorageError> {
                    let session_id = session_id.to_owned();
                    self.db
                        .run("find_call_by_session", move |conn| {
                            let newest_with_session = calls::table
                                .filter(calls::session_id.eq(session_id))
                                .order((calls::start_time.desc(), calls::id.desc()));
                            found_call(
                                newest_with_session
                                    .select(CallRow::as_select())
                                    .first(conn)
                                    .optional(),
                            )
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
                            let newest_pending = calls::table
                                .filter(calls::user_id.eq(StoredId(*user_id.as_uuid())))
                                .filter(calls::status.eq_any(status_texts(CallStatus::IN_PROGRESS)))
                                .filter(calls::session_id.is_null())
                                .filter(calls::start_time.ge(StoredTime(since)))
                                .order((calls::start_time.desc(), calls::id.desc()));
                            found_call(
                                newest_pending
                                    .select(CallRow::as_select())
                                    .first(conn)
                                    .optional(),
                            )
                        })
                        .await
                }

                async fn unfinished_of(&self, user_id: UserId) -> Result<Vec<Call>, StorageError> {
                    self.db
                        .run("unfinished_calls_of_user", move |conn| {
                            let rows = calls::table
                                .filter(calls::user_id.eq(StoredId(*user_id.as_uuid())))
                                .filter(calls::status.eq_any(status_texts(CallStatus::IN_PROGRESS)))
                                .order((calls::start_time.desc(), calls::id.desc()))
                                .select(CallRow::as_select())
                                .load(conn)
                                .map_err(storage_error)?;
                            calls_from_rows(rows)
                        })
                        .await
                }
            }
        };
    };
}
