//! Translation of diesel and pool errors into the ports' errors.
//!
//! Messages carry PostgreSQL's primary error text and the constraint name, never the SQL, the
//! bound values or PostgreSQL's `DETAIL` line (which quotes row values such as emails).

use calls_core::ports::StorageError;
use diesel::r2d2::PoolError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Any diesel error as a storage failure: a lost connection is transient
/// ([`StorageError::Unavailable`]), everything else is a bug or a schema mismatch.
pub(crate) fn storage_error(error: DieselError) -> StorageError {
    match error {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            info,
        ) => {
            // The pool drops this connection when it comes back (see calls-adapters-diesel).
            calls_adapters_diesel::mark_connection_lost();
            StorageError::Unavailable(format!("database connection lost: {}", info.message()))
        }
        DieselError::DatabaseError(kind, info) => {
            let constraint = info
                .constraint_name()
                .map(|name| format!(", constraint {name}"))
                .unwrap_or_default();
            StorageError::Unexpected(format!("{} ({kind:?}{constraint})", info.message()))
        }
        DieselError::BrokenTransactionManager => {
            calls_adapters_diesel::mark_connection_lost();
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

/// No connection could be checked out in time: the database is down, unreachable or saturated.
pub(crate) fn pool_error(error: PoolError) -> StorageError {
    StorageError::Unavailable(error.to_string())
}

/// Whether `error` is the unique index on `users.email` refusing a second account. The Go
/// backend's schema names it `users_email_key`; matching on "email" also covers other names
/// legacy tooling may have chosen, while the primary key (`users_pkey`) stays a bug.
pub(crate) fn is_email_conflict(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => info
            .constraint_name()
            .is_some_and(|name| name.contains("email")),
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
