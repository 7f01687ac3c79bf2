//! Schema migrations, embedded in the binary from `migrations/sqlite`.

use calls_storage_diesel::migrations::{MigrationError, apply_pending};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};

use crate::storage::SqliteStorage;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

impl SqliteStorage {
    /// Applies the pending migrations and returns how many ran (0 when the schema is current).
    /// Blocking. Diesel's `__diesel_schema_migrations` table records what ran; SQLite's write
    /// lock makes a second process wait rather than apply them twice.
    pub fn run_migrations(&self) -> Result<usize, MigrationError> {
        let mut conn = self.db.migration_connection()?;
        apply_pending(&mut *conn, MIGRATIONS, "SQLite")
    }
}
