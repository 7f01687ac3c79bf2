//! The failure every storage operation can have besides its own specific ones.

/// A storage operation that could not be carried out for reasons unrelated to its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or no connection became free in time. Transient: the
    /// caller should answer "try again later" (HTTP 503), not "bug" (HTTP 500).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a schema mismatch.
    #[error("unexpected database error: {0}")]
    Unexpected(String),
}
