//! Rows as stored, and their conversion to and from the domain types.
//!
//! Reading never panics on odd data: text that is no UUID, a time out of range, an unknown status
//! or a negative duration becomes [`StorageError::Unexpected`].

use calls_core::domain::{
    Call, CallId, CallStatus, Email, NewCall, NewUser, PasswordHash, StatusChange, User, UserId,
};
use calls_core::ports::StorageError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{calls, users};

/// The stored form of an id: lower-case hyphenated, so text order is UUID order.
pub(crate) fn id_text(id: &Uuid) -> String {
    id.hyphenated().to_string()
}

fn parse_id(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text)
        .map_err(|_| StorageError::Unexpected("a stored id is not a UUID".to_owned()))
}

/// The stored form of a time: microseconds since the epoch, the domain's precision.
pub(crate) fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

fn time_from_micros(micros: i64) -> Result<DateTime<Utc>, StorageError> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| StorageError::Unexpected(format!("stored time {micros} is out of range")))
}

/// The stored (and looked-up) form of an email. [`Email`] is already lower case when it was
/// parsed; lower-casing again covers addresses built with `Email::from_trusted`, so that the
/// unique index alone decides "taken" in any letter case.
pub(crate) fn stored_email(email: &Email) -> String {
    email.as_str().to_lowercase()
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct UserRow {
    id: String,
    email: String,
    password_hash: String,
    created_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StorageError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: UserId::from_uuid(parse_id(&row.id)?),
            email: Email::from_trusted(row.email),
            password_hash: PasswordHash::new(row.password_hash),
            created_at: time_from_micros(row.created_at)?,
        })
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub(crate) struct NewUserRow<'a> {
    id: String,
    email: String,
    password_hash: &'a str,
    created_at: i64,
}

impl<'a> NewUserRow<'a> {
    pub(crate) fn new(user: &'a NewUser) -> Self {
        Self {
            id: id_text(user.id.as_uuid()),
            email: stored_email(&user.email),
            password_hash: user.password_hash.as_str(),
            created_at: micros(user.created_at),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = calls, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct CallRow {
    id: String,
    user_id: String,
    phone_number: String,
    country: Option<String>,
    start_time: i64,
    duration: i32,
    status: String,
    session_id: Option<String>,
    sdp_offer: Option<String>,
    failure_reason: Option<String>,
    ended_at: Option<i64>,
}

impl TryFrom<CallRow> for Call {
    type Error = StorageError;

    fn try_from(row: CallRow) -> Result<Self, Self::Error> {
        let status = row.status.parse().map_err(|_| {
            StorageError::Unexpected(format!("call {} has an unknown status", row.id))
        })?;
        let duration = u32::try_from(row.duration).map_err(|_| {
            StorageError::Unexpected(format!("call {} has a negative duration", row.id))
        })?;
        Ok(Self {
            id: CallId::from_uuid(parse_id(&row.id)?),
            user_id: UserId::from_uuid(parse_id(&row.user_id)?),
            phone_number: row.phone_number,
            country: row.country,
            start_time: time_from_micros(row.start_time)?,
            duration,
            status,
            session_id: row.session_id,
            sdp_offer: row.sdp_offer,
            failure_reason: row.failure_reason,
            ended_at: row.ended_at.map(time_from_micros).transpose()?,
        })
    }
}

/// Converts loaded rows, failing on the first one the domain cannot represent.
pub(crate) fn calls_from_rows(rows: Vec<CallRow>) -> Result<Vec<Call>, StorageError> {
    rows.into_iter().map(Call::try_from).collect()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = calls)]
pub(crate) struct NewCallRow<'a> {
    id: String,
    user_id: String,
    phone_number: &'a str,
    country: Option<&'a str>,
    start_time: i64,
    duration: i32,
    status: &'static str,
}

impl<'a> NewCallRow<'a> {
    pub(crate) fn new(call: &'a NewCall) -> Self {
        Self {
            id: id_text(call.id.as_uuid()),
            user_id: id_text(call.user_id.as_uuid()),
            phone_number: call.phone_number.as_e164(),
            // The column is an ISO 3166-1 alpha-2 code; anything else is better left unknown.
            country: call.phone_number.region().filter(|code| code.len() == 2),
            start_time: micros(call.start_time),
            duration: 0,
            status: call.status.as_str(),
        }
    }
}

/// The `SET` list of a guarded status change. `None` fields are left out of the statement, so
/// they keep their stored value.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = calls)]
pub(crate) struct CallChanges<'a> {
    status: &'static str,
    duration: Option<i32>,
    session_id: Option<&'a str>,
    sdp_offer: Option<&'a str>,
    failure_reason: Option<&'a str>,
    ended_at: Option<i64>,
}

impl<'a> CallChanges<'a> {
    pub(crate) fn new(change: &'a StatusChange) -> Result<Self, StorageError> {
        let duration = change.duration.map(duration_column).transpose()?;
        Ok(Self {
            status: change.status.as_str(),
            duration,
            session_id: change.session_id.as_deref(),
            sdp_offer: change.sdp_offer.as_deref(),
            failure_reason: change.failure_reason.as_deref(),
            ended_at: change.ended_at().map(micros),
        })
    }
}

/// A duration in the column's type (32-bit, as in PostgreSQL): 68 years of seconds is the limit.
fn duration_column(seconds: u32) -> Result<i32, StorageError> {
    i32::try_from(seconds).map_err(|_| {
        StorageError::Unexpected(format!("a duration of {seconds} s cannot be stored"))
    })
}

/// The text form of statuses, for `status IN (...)` guards.
pub(crate) fn status_texts(statuses: impl IntoIterator<Item = CallStatus>) -> Vec<&'static str> {
    statuses.into_iter().map(CallStatus::as_str).collect()
}
