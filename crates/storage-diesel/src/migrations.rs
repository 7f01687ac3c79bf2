//! Why migrations failed; each backend embeds and runs its own folder of them.

/// Why the migrations could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    #[error("database unavailable for migrations: {0}")]
    Unavailable(String),
    #[error("database migration failed: {0}")]
    Failed(String),
}
