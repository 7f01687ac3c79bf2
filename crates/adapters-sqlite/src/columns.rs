//! How ids and times are stored in SQLite, which has no UUID or time type: ids are lower-case
//! hyphenated UUID text (which sorts like PostgreSQL's `uuid`), times are `BIGINT` microseconds
//! since the Unix epoch (exact, orderable, the domain's precision). The shared ports
//! (`calls-storage-diesel`) write `StoredId` and `StoredTime` wherever they bind or read one.
//!
//! Reading never panics on odd data: text that is no UUID or a time out of range is a
//! deserialization error, which the storage reports as `StorageError::Unexpected`.

use chrono::{DateTime, Utc};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::{Sqlite, SqliteValue};
use uuid::Uuid;

/// An id in a `TEXT` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub(crate) struct StoredId(pub(crate) Uuid);

impl ToSql<Text, Sqlite> for StoredId {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.hyphenated().to_string());
        Ok(IsNull::No)
    }
}

impl FromSql<Text, Sqlite> for StoredId {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
        Uuid::parse_str(&text)
            .map(Self)
            .map_err(|_| "a stored id is not a UUID".into())
    }
}

/// A time in a `BIGINT` column of microseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = BigInt)]
pub(crate) struct StoredTime(pub(crate) DateTime<Utc>);

impl ToSql<BigInt, Sqlite> for StoredTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.timestamp_micros());
        Ok(IsNull::No)
    }
}

impl FromSql<BigInt, Sqlite> for StoredTime {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let micros = <i64 as FromSql<BigInt, Sqlite>>::from_sql(value)?;
        DateTime::from_timestamp_micros(micros)
            .map(Self)
            .ok_or_else(|| format!("stored time {micros} is out of range").into())
    }
}
