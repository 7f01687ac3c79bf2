//! The failure every storage operation can have besides its own specific ones.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// What went wrong underneath (a diesel or pool error), kept so that logs can print the whole
/// chain. Shared, so that a [`StorageError`] stays cheap to clone.
pub type StorageCause = Arc<dyn Error + Send + Sync + 'static>;

/// A storage operation that could not be carried out for reasons unrelated to its input.
///
/// The message says what the storage was doing; [`Error::source`] gives the adapter's own error
/// (the database's message, the pool's timeout), so a log line shows the cause without the
/// ports knowing any database type. Two errors are equal when they are the same kind with the
/// same message: the cause is diagnostic, not part of the contract.
#[derive(Clone, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or no connection became free in time. Transient: the
    /// caller should answer "try again later" (HTTP 503), not "bug" (HTTP 500).
    #[error("database unavailable: {message}")]
    Unavailable {
        message: String,
        #[source]
        cause: Option<StorageCause>,
    },
    /// Anything else: a bug or a schema mismatch.
    #[error("unexpected database error: {message}")]
    Unexpected {
        message: String,
        #[source]
        cause: Option<StorageCause>,
    },
}

impl StorageError {
    /// A transient failure with no underlying error to keep.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable {
            message: message.into(),
            cause: None,
        }
    }

    /// A bug or schema mismatch with no underlying error to keep.
    pub fn unexpected(message: impl Into<String>) -> Self {
        Self::Unexpected {
            message: message.into(),
            cause: None,
        }
    }

    /// Keeps `cause` as this error's source.
    #[must_use]
    pub fn caused_by(self, cause: impl Error + Send + Sync + 'static) -> Self {
        let cause = Some(Arc::new(cause) as StorageCause);
        match self {
            Self::Unavailable { message, .. } => Self::Unavailable { message, cause },
            Self::Unexpected { message, .. } => Self::Unexpected { message, cause },
        }
    }

    /// Whether the failure is transient (the database is down or saturated).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// What the storage was doing when it failed, without the cause.
    pub fn message(&self) -> &str {
        match self {
            Self::Unavailable { message, .. } | Self::Unexpected { message, .. } => message,
        }
    }

    /// The message followed by every cause in the chain, for a log line:
    /// `database unavailable: ...: connection refused`.
    pub fn chain(&self) -> String {
        error_chain(self)
    }
}

/// `error` followed by each of its sources, `: `-separated: what a log line should show of an
/// error that wraps another (a [`StorageError`] inside a use case's error, say).
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl fmt::Debug for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_unavailable() {
            "Unavailable"
        } else {
            "Unexpected"
        };
        let cause = Error::source(self).map(ToString::to_string);
        f.debug_struct(kind)
            .field("message", &self.message())
            .field("cause", &cause)
            .finish()
    }
}

impl PartialEq for StorageError {
    fn eq(&self, other: &Self) -> bool {
        self.is_unavailable() == other.is_unavailable() && self.message() == other.message()
    }
}

impl Eq for StorageError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("connection refused")]
    struct Refused;

    #[test]
    fn the_cause_is_the_source_and_shows_in_the_chain() {
        let error = StorageError::unavailable("no connection within 2s").caused_by(Refused);
        assert_eq!(
            error.to_string(),
            "database unavailable: no connection within 2s"
        );
        assert_eq!(
            Error::source(&error).map(ToString::to_string),
            Some("connection refused".to_owned())
        );
        assert_eq!(
            error.chain(),
            "database unavailable: no connection within 2s: connection refused"
        );
        assert!(format!("{error:?}").contains("connection refused"));
    }

    #[test]
    fn equality_ignores_the_cause_but_not_the_kind_or_message() {
        let plain = StorageError::unexpected("bad row");
        assert_eq!(
            plain,
            StorageError::unexpected("bad row").caused_by(Refused)
        );
        assert_ne!(plain, StorageError::unavailable("bad row"));
        assert_ne!(plain, StorageError::unexpected("other row"));
    }
}
