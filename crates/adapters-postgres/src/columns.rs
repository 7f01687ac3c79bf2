//! How ids and times are stored in PostgreSQL: the Go backend's `uuid` and `timestamptz`
//! columns, with diesel's own conversions. The shared ports (`calls-storage-diesel`) write
//! `StoredId` and `StoredTime` wherever they bind or read an id or a time.

use chrono::{DateTime, Utc};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Timestamptz, Uuid as UuidColumn};
use uuid::Uuid;

/// An id in a `uuid` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = UuidColumn)]
pub(crate) struct StoredId(pub(crate) Uuid);

impl ToSql<UuidColumn, Pg> for StoredId {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <Uuid as ToSql<UuidColumn, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<UuidColumn, Pg> for StoredId {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <Uuid as FromSql<UuidColumn, Pg>>::from_sql(value).map(Self)
    }
}

/// A time in a `timestamptz` column (microsecond precision, as the domain's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Timestamptz)]
pub(crate) struct StoredTime(pub(crate) DateTime<Utc>);

impl ToSql<Timestamptz, Pg> for StoredTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <DateTime<Utc> as ToSql<Timestamptz, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Timestamptz, Pg> for StoredTime {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <DateTime<Utc> as FromSql<Timestamptz, Pg>>::from_sql(value).map(Self)
    }
}
