//! Translation of diesel and pool errors into the ports' errors.
//!
//! SQLite's messages name tables and columns, never row values, and diesel never includes the
//! SQL or its bound values, so messages can be passed on.

use calls_core::ports::StorageError;
use diesel::r2d2::PoolError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Any diesel error as a storage failure. A write that waited out the busy timeout behind other
/// writers is transient ([`StorageError::Unavailable`]); anything else is a bug or a schema
/// mismatch.
pub(crate) fn storage_error(error: DieselError) -> StorageError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
            StorageError::Unavailable(format!("database connection lost: {}", info.message()))
        }
        DieselError::DatabaseError(kind, info) if is_busy(info.message()) => {
            StorageError::Unavailable(format!("database is busy: {} ({kind:?})", info.message()))
        }
        DieselError::DatabaseError(kind, info) => {
            StorageError::Unexpected(format!("{} ({kind:?})", info.message()))
        }
        DieselError::BrokenTransactionManager => {
            StorageError::Unavailable("database connection is in a broken state".to_owned())
        }
        DieselError::DeserializationError(error) => {
            StorageError::Unexpected(format!("unreadable row: {error}"))
        }
        DieselError::SerializationError(error) => {
            StorageError::Unexpected(format!("value could not be sent: {error}"))
        }
        other => StorageError::Unexpected(other.to_string()),
    }
}

/// `SQLITE_BUSY` / `SQLITE_LOCKED`, which diesel reports only by message.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database table is locked")
        || message.contains("database is busy")
}

/// No connection could be checked out in time.
pub(crate) fn pool_error(error: PoolError) -> StorageError {
    StorageError::Unavailable(error.to_string())
}

/// Whether `error` is the unique constraint on `users.email` (SQLite reports
/// `UNIQUE constraint failed: users.email`).
pub(crate) fn is_email_conflict(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.message().contains("users.email")
        }
        _ => false,
    }
}

/// Whether `error` is a foreign key refusing a row: on `calls`, the owner does not exist.
pub(crate) fn is_foreign_key_violation(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)
    )
}
