//! Translation of diesel and pool errors into the ports' errors, the same for both backends:
//! diesel reports PostgreSQL's and SQLite's failures through one error type, and the few
//! backend-specific cases (SQLite's "database is locked", each backend's way of naming the
//! violated constraint) are told apart by what the error itself carries.
//!
//! The diesel error is kept as the [`StorageError`]'s source, so logs show the database's own
//! words. diesel displays a database error as its primary message only: never the SQL, the bound
//! values, or PostgreSQL's `DETAIL` line (which quotes row values such as emails).

use calls_core::ports::StorageError;
use diesel::r2d2::PoolError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::manager::mark_connection_lost;

/// Any diesel error as a storage failure: a lost connection or a database busy behind other
/// writers is transient ([`StorageError::Unavailable`]), everything else is a bug or a schema
/// mismatch.
pub fn storage_error(error: DieselError) -> StorageError {
    let failure = match &error {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => {
            // The pool drops this connection when it comes back (see `manager`).
            mark_connection_lost();
            StorageError::unavailable("database connection lost")
        }
        DieselError::DatabaseError(kind, info) if is_busy(info.message()) => {
            StorageError::unavailable(format!("database is busy ({kind:?})"))
        }
        DieselError::DatabaseError(kind, info) => {
            let constraint = info
                .constraint_name()
                .map(|name| format!(", constraint {name}"))
                .unwrap_or_default();
            StorageError::unexpected(format!("statement refused ({kind:?}{constraint})"))
        }
        DieselError::BrokenTransactionManager => {
            mark_connection_lost();
            StorageError::unavailable("database connection is in a broken state")
        }
        DieselError::DeserializationError(_) => StorageError::unexpected("unreadable row"),
        DieselError::SerializationError(_) => StorageError::unexpected("value could not be sent"),
        _ => StorageError::unexpected("query failed"),
    };
    failure.caused_by(error)
}

/// SQLite's `SQLITE_BUSY` / `SQLITE_LOCKED` after the busy timeout, which diesel reports only by
/// message. PostgreSQL never words an error this way.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database table is locked")
        || message.contains("database is busy")
}

/// No connection could be checked out in time: the database is down, unreachable or saturated.
pub fn pool_error(error: PoolError) -> StorageError {
    StorageError::unavailable("no database connection could be checked out").caused_by(error)
}

/// Whether `error` is the unique index on `users.email` refusing a second account.
///
/// PostgreSQL names the constraint (the Go backend's schema calls it `users_email_key`; any
/// name with "email" covers what other legacy tooling may have chosen, while the primary key
/// `users_pkey` stays a bug); SQLite names no constraint but says
/// `UNIQUE constraint failed: users.email`.
pub fn is_email_conflict(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.constraint_name()
                .is_some_and(|name| name.contains("email"))
                || info.message().contains("users.email")
        }
        _ => false,
    }
}

/// Whether `error` is a foreign key refusing a row: on `calls`, the owner does not exist.
pub fn is_foreign_key_violation(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn the_diesel_error_is_kept_as_the_source() {
        let error = storage_error(DieselError::NotFound);
        assert!(!error.is_unavailable());
        assert_eq!(
            error.source().map(ToString::to_string),
            Some(DieselError::NotFound.to_string())
        );
    }

    #[test]
    fn a_broken_transaction_manager_is_transient() {
        assert!(storage_error(DieselError::BrokenTransactionManager).is_unavailable());
    }
}
