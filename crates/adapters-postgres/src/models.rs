//! Rows as stored, and their conversion to and from the domain types.
//!
//! Reading never panics on odd data: a value the domain cannot represent (an unknown status, a
//! negative duration) becomes [`StorageError::Unexpected`]. The migrations normalize legacy rows
//! so that this does not happen to them.

use calls_core::domain::{
    Call, CallId, CallStatus, Email, NewCall, NewUser, PasswordHash, StatusChange, User, UserId,
};
use calls_core::ports::StorageError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{calls, users};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    password_hash: String,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: UserId::from_uuid(row.id),
            email: Email::from_trusted(row.email),
            password_hash: PasswordHash::new(row.password_hash),
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub(crate) struct NewUserRow<'a> {
    id: Uuid,
    email: String,
    password_hash: &'a str,
    created_at: DateTime<Utc>,
}

impl<'a> NewUserRow<'a> {
    pub(crate) fn new(user: &'a NewUser) -> Self {
        Self {
            id: *user.id.as_uuid(),
            email: stored_email(&user.email),
            password_hash: user.password_hash.as_str(),
            created_at: user.created_at,
        }
    }
}

/// The stored (and looked-up) form of an email. [`Email`] is already lower case when it was
/// parsed; lower-casing again covers addresses built with `Email::from_trusted`, so that the
/// unique index alone decides "taken" in any letter case.
pub(crate) fn stored_email(email: &Email) -> String {
    email.as_str().to_lowercase()
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = calls, check_for_backend(diesel::pg::Pg))]
pub(crate) struct CallRow {
    id: Uuid,
    user_id: Uuid,
    phone_number: String,
    country: Option<String>,
    start_time: DateTime<Utc>,
    duration: Option<i32>,
    status: String,
    session_id: Option<String>,
    sdp_offer: Option<String>,
    failure_reason: Option<String>,
    ended_at: Option<DateTime<Utc>>,
}

impl TryFrom<CallRow> for Call {
    type Error = StorageError;

    fn try_from(row: CallRow) -> Result<Self, Self::Error> {
        let status = row.status.parse().map_err(|_| {
            StorageError::Unexpected(format!("call {} has an unknown status", row.id))
        })?;
        // The Go backend allowed NULL durations; they mean "not measured", i.e. 0 s.
        let duration = u32::try_from(row.duration.unwrap_or(0)).map_err(|_| {
            StorageError::Unexpected(format!("call {} has a negative duration", row.id))
        })?;
        Ok(Self {
            id: CallId::from_uuid(row.id),
            user_id: UserId::from_uuid(row.user_id),
            phone_number: row.phone_number,
            country: row.country,
            start_time: row.start_time,
            duration,
            status,
            session_id: row.session_id,
            sdp_offer: row.sdp_offer,
            failure_reason: row.failure_reason,
            ended_at: row.ended_at,
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
    id: Uuid,
    user_id: Uuid,
    phone_number: &'a str,
    country: Option<&'a str>,
    start_time: DateTime<Utc>,
    duration: Option<i32>,
    status: &'static str,
}

impl<'a> NewCallRow<'a> {
    pub(crate) fn new(call: &'a NewCall) -> Self {
        Self {
            id: *call.id.as_uuid(),
            user_id: *call.user_id.as_uuid(),
            phone_number: call.phone_number.as_e164(),
            // The column is an ISO 3166-1 alpha-2 code; anything else is better left unknown.
            country: call.phone_number.region().filter(|code| code.len() == 2),
            start_time: call.start_time,
            duration: Some(0),
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
    ended_at: Option<DateTime<Utc>>,
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
            ended_at: change.ended_at(),
        })
    }
}

/// A duration in the column's type (`integer`): 68 years of seconds is the limit.
fn duration_column(seconds: u32) -> Result<i32, StorageError> {
    i32::try_from(seconds).map_err(|_| {
        StorageError::Unexpected(format!("a duration of {seconds} s cannot be stored"))
    })
}

/// The text form of statuses, for `status IN (...)` guards.
pub(crate) fn status_texts(statuses: impl IntoIterator<Item = CallStatus>) -> Vec<&'static str> {
    statuses.into_iter().map(CallStatus::as_str).collect()
}
