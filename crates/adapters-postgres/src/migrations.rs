//! Schema migrations, embedded in the binary from `migrations/postgres`.

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};

use calls_storage_diesel::errors::storage_error;
use calls_storage_diesel::migrations::{MigrationError, apply_pending};

use crate::storage::PostgresStorage;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Key of the advisory lock that serializes migrations across instances started together.
const MIGRATION_LOCK: i64 = 0x63_616c_6c73; // "calls"

impl PostgresStorage {
    /// Applies the pending migrations and returns how many ran (0 when the schema is current).
    /// Blocking; safe to run from several instances at once (they take turns on an advisory
    /// lock, and diesel's `__diesel_schema_migrations` table records what ran).
    pub fn run_migrations(&self) -> Result<usize, MigrationError> {
        let mut conn = self.db.migration_connection()?;
        lock(&mut conn, "pg_advisory_lock")?;
        let applied = apply_pending(&mut *conn, MIGRATIONS, "PostgreSQL");
        let unlocked = lock(&mut conn, "pg_advisory_unlock");
        let applied = applied?;
        unlocked?;
        Ok(applied)
    }
}

fn lock(conn: &mut PgConnection, function: &str) -> Result<(), MigrationError> {
    diesel::sql_query(format!("SELECT {function}($1)"))
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(conn)
        .map(drop)
        .map_err(|error| {
            MigrationError::Failed(format!("{function}: {}", storage_error(error).chain()))
        })
}
