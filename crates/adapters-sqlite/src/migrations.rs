//! Schema migrations, embedded in the binary from `migrations/sqlite`.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use calls_storage_diesel::MigrationError;
use calls_storage_diesel::errors::pool_error;

use crate::storage::SqliteStorage;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

impl SqliteStorage {
    /// Applies the pending migrations and returns how many ran (0 when the schema is current).
    /// Blocking. Diesel's `__diesel_schema_migrations` table records what ran; SQLite's write
    /// lock makes a second process wait rather than apply them twice.
    pub fn run_migrations(&self) -> Result<usize, MigrationError> {
        let mut conn = self
            .db
            .pool()
            .get()
            .map_err(|error| MigrationError::Unavailable(pool_error(error).chain()))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.len())
            .map_err(|error| MigrationError::Failed(error.to_string()))?;
        if applied > 0 {
            tracing::info!(applied, "applied SQLite migrations");
        }
        Ok(applied)
    }
}
