//! `stamp_rows!`: the rows as stored, and their conversion to and from the domain types.

/// Stamps `pub(crate) mod rows` into the calling backend crate: the row types of `users`,
/// `calls` and `revoked_tokens` (checked against `backend`), their conversions, and the
/// session test the history read shares with `RevocationStore::is_revoked` (`session_ended`).
///
/// The calling crate provides `crate::schema` (diesel's `table!`s) and `crate::columns`
/// (`StoredId(Uuid)` and `StoredTime(DateTime<Utc>)`, its column types for ids and times).
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_rows {
    (backend: $($backend:ident)::+) => {
        pub(crate) mod rows {
            use calls_core::domain::{
                Call, CallId, Email, NewCall, NewUser, PasswordHash, ReportLedger, ReportUpdate,
                StatusChange, User, UserId,
            };
            use calls_core::ports::{SessionRef, StorageError};
            use chrono::{DateTime, Utc};
            use diesel::prelude::*;
            use $crate::conversions::{
                duration_column, parse_duration, parse_duration_source, parse_sequence,
                parse_status, sequence_column, stored_email,
            };

            use crate::columns::{StoredId, StoredTime};
            use crate::schema::{calls, revoked_tokens, users};

            #[derive(Debug, Queryable, Selectable)]
            #[diesel(table_name = users, check_for_backend($($backend)::+))]
            pub(crate) struct UserRow {
                id: StoredId,
                email: String,
                password_hash: String,
                created_at: StoredTime,
                sessions_valid_after: Option<StoredTime>,
            }

            impl From<UserRow> for User {
                fn from(row: UserRow) -> Self {
                    Self {
                        id: UserId::from_uuid(row.id.0),
                        email: Email::from_trusted(row.email),
                        password_hash: PasswordHash::new(row.password_hash),
                        created_at: row.created_at.0,
                        sessions_valid_after: row.sessions_valid_after.map(|time| time.0),
                    }
                }
            }

            #[derive(Debug, Insertable)]
            #[diesel(table_name = users)]
            pub(crate) struct NewUserRow<'a> {
                id: StoredId,
                email: String,
                password_hash: &'a str,
                created_at: StoredTime,
            }

            impl<'a> NewUserRow<'a> {
                pub(crate) fn new(user: &'a NewUser) -> Self {
                    Self {
                        id: StoredId(*user.id.as_uuid()),
                        email: stored_email(&user.email),
                        password_hash: user.password_hash.as_str(),
                        created_at: StoredTime(user.created_at),
                    }
                }
            }

            #[derive(Debug, Queryable, Selectable)]
            #[diesel(table_name = calls, check_for_backend($($backend)::+))]
            pub(crate) struct CallRow {
                id: StoredId,
                user_id: StoredId,
                phone_number: String,
                country: Option<String>,
                start_time: StoredTime,
                duration: Option<i32>,
                status: String,
                session_id: Option<String>,
                sdp_offer: Option<String>,
                failure_reason: Option<String>,
                ended_at: Option<StoredTime>,
            }

            impl TryFrom<CallRow> for Call {
                type Error = StorageError;

                fn try_from(row: CallRow) -> Result<Self, Self::Error> {
                    let of = format_args!("call {}", row.id.0).to_string();
                    Ok(Self {
                        id: CallId::from_uuid(row.id.0),
                        user_id: UserId::from_uuid(row.user_id.0),
                        phone_number: row.phone_number,
                        country: row.country,
                        start_time: row.start_time.0,
                        duration: parse_duration(row.duration, &of)?,
                        status: parse_status(&row.status, &of)?,
                        session_id: row.session_id,
                        sdp_offer: row.sdp_offer,
                        failure_reason: row.failure_reason,
                        ended_at: row.ended_at.map(|time| time.0),
                    })
                }
            }

            /// The call a lookup found, if any, as the domain's call.
            pub(crate) fn found_call(
                row: Result<Option<CallRow>, diesel::result::Error>,
            ) -> Result<Option<Call>, StorageError> {
                row.map_err($crate::errors::storage_error)?
                    .map(Call::try_from)
                    .transpose()
            }

            /// The account a lookup found, if any, as the domain's user.
            pub(crate) fn found_user(
                row: Result<Option<UserRow>, diesel::result::Error>,
            ) -> Result<Option<User>, StorageError> {
                row.map(|row| row.map(User::from))
                    .map_err($crate::errors::storage_error)
            }

            /// Converts loaded rows, failing on the first one the domain cannot represent.
            pub(crate) fn calls_from_rows(rows: Vec<CallRow>) -> Result<Vec<Call>, StorageError> {
                rows.into_iter().map(Call::try_from).collect()
            }

            #[derive(Debug, Insertable)]
            #[diesel(table_name = calls)]
            pub(crate) struct NewCallRow<'a> {
                id: StoredId,
                user_id: StoredId,
                phone_number: &'a str,
                country: Option<&'a str>,
                start_time: StoredTime,
                duration: Option<i32>,
                status: &'static str,
            }

            impl<'a> NewCallRow<'a> {
                pub(crate) fn new(call: &'a NewCall) -> Self {
                    Self {
                        id: StoredId(*call.id.as_uuid()),
                        user_id: StoredId(*call.user_id.as_uuid()),
                        phone_number: call.phone_number.as_e164(),
                        // The column is an ISO 3166-1 alpha-2 code; anything else is better left
                        // unknown.
                        country: call.phone_number.region().filter(|code| code.len() == 2),
                        start_time: StoredTime(call.start_time),
                        duration: Some(0),
                        status: call.status.as_str(),
                    }
                }
            }

            /// The `SET` list of a guarded status change. `None` fields are left out of the
            /// statement, so they keep their stored value.
            #[derive(Debug, AsChangeset)]
            #[diesel(table_name = calls)]
            pub(crate) struct CallChanges<'a> {
                status: &'static str,
                duration: Option<i32>,
                session_id: Option<&'a str>,
                sdp_offer: Option<&'a str>,
                failure_reason: Option<&'a str>,
                ended_at: Option<StoredTime>,
            }

            impl<'a> CallChanges<'a> {
                pub(crate) fn new(change: &'a StatusChange) -> Result<Self, StorageError> {
                    Ok(Self {
                        status: change.status.as_str(),
                        duration: change.duration.map(duration_column).transpose()?,
                        session_id: change.session_id.as_deref(),
                        sdp_offer: change.sdp_offer.as_deref(),
                        failure_reason: change.failure_reason.as_deref(),
                        ended_at: change.ended_at().map(StoredTime),
                    })
                }
            }

            /// A call's report ledger as stored beside it.
            #[derive(Debug, Queryable, Selectable)]
            #[diesel(table_name = calls, check_for_backend($($backend)::+))]
            pub(crate) struct LedgerRow {
                own_sequence: Option<i64>,
                dialled_session_id: Option<String>,
                dialled_sequence: Option<i64>,
                duration_source: Option<String>,
                report_version: i64,
            }

            impl LedgerRow {
                /// The ledger of the call `of` names.
                pub(crate) fn into_ledger(self, of: &str) -> Result<ReportLedger, StorageError> {
                    let sequence = |column: Option<i64>| {
                        column.map(|value| parse_sequence(value, of)).transpose()
                    };
                    Ok(ReportLedger {
                        own_sequence: sequence(self.own_sequence)?,
                        dialled_session_id: self.dialled_session_id,
                        dialled_sequence: sequence(self.dialled_sequence)?,
                        duration_source: self
                            .duration_source
                            .map(|text| parse_duration_source(&text, of))
                            .transpose()?,
                        version: parse_sequence(self.report_version, of)?,
                    })
                }
            }

            /// The `SET` list of a provider report's update (the version is moved on beside
            /// it). `None` fields keep their stored value.
            #[derive(Debug, AsChangeset)]
            #[diesel(table_name = calls)]
            pub(crate) struct ReportChanges<'a> {
                status: &'static str,
                duration: Option<i32>,
                duration_source: Option<&'static str>,
                failure_reason: Option<&'a str>,
                ended_at: Option<StoredTime>,
                session_id: Option<&'a str>,
                own_sequence: Option<i64>,
                dialled_session_id: Option<&'a str>,
                dialled_sequence: Option<i64>,
            }

            impl<'a> ReportChanges<'a> {
                pub(crate) fn new(update: &'a ReportUpdate) -> Result<Self, StorageError> {
                    Ok(Self {
                        status: update.status.as_str(),
                        duration: update.duration.map(duration_column).transpose()?,
                        duration_source: update.duration_source.map(|source| source.as_str()),
                        failure_reason: update.failure_reason.as_deref(),
                        ended_at: update.ended_at.map(StoredTime),
                        session_id: update.session_id.as_deref(),
                        own_sequence: update.own_sequence.map(sequence_column).transpose()?,
                        dialled_session_id: update.dialled_session_id.as_deref(),
                        dialled_sequence: update.dialled_sequence.map(sequence_column).transpose()?,
                    })
                }
            }

            /// Whether the session is over at `at`: its token revoked (rows that expired but
            /// were not purged yet do not count: the token is invalid anyway), its user gone,
            /// or its user's sessions ended after it was issued (`sessions_valid_after` set and
            /// later than the token's `iat`). What `is_revoked` asks, and what the history read
            /// asks in its own snapshot and statement: one expression, so both answer alike,
            /// and one round trip per request, as the revocation check alone was.
            #[diesel::dsl::auto_type]
            pub(crate) fn session_ended(session: &SessionRef, at: DateTime<Utc>) -> _ {
                let key: String = session.key.as_str().to_owned();
                let user: StoredId = StoredId(*session.user_id.as_uuid());
                let issued_at: StoredTime = StoredTime(session.issued_at);
                let expiry: StoredTime = StoredTime(at);
                diesel::dsl::exists(
                    revoked_tokens::table
                        .filter(revoked_tokens::key.eq(key))
                        .filter(revoked_tokens::expires_at.gt(expiry)),
                )
                .or(diesel::dsl::not(diesel::dsl::exists(
                    users::table.filter(users::id.eq(user)).filter(
                        users::sessions_valid_after
                            .is_null()
                            .or(users::sessions_valid_after.le(issued_at)),
                    ),
                )))
            }
        }
    };
}
