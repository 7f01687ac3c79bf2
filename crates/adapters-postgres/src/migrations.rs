//! Schema migrations, embedded in the binary from `migrations/postgres`.

use diesel::PgConnection;
use diesel::migration::{Migration as _, MigrationSource};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
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

impl PostgresStorage {
    /// How many of this release's migrations the database has not applied: all of them when it
    /// was never migrated, 0 when its schema is current (migrations of a newer release do not
    /// count). Blocking.
    ///
    /// Reads only, in plain statements: unlike diesel's migration harness it creates nothing,
    /// takes no lock and needs no session, so it can run on the serving pool through a
    /// transaction-mode pooler when migrations are run elsewhere.
    pub fn pending_migrations(&self) -> Result<usize, MigrationError> {
        let failed = |error: diesel::result::Error| {
            MigrationError::Failed(format!(
                "reading the applied migrations: {}",
                storage_error(error).chain()
            ))
        };
        let known = MigrationSource::<Pg>::migrations(&MIGRATIONS)
            .map_err(|error| MigrationError::Failed(error.to_string()))?;
        let mut conn = self.db.migration_connection()?;
        let recorded = diesel::sql_query(
            "SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS present",
        )
        .get_result::<Present>(&mut *conn)
        .map_err(failed)?;
        if !recorded.present {
            return Ok(known.len());
        }
        let applied: Vec<String> =
            diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
                .load::<Applied>(&mut *conn)
                .map_err(failed)?
                .into_iter()
                .map(|row| row.version)
                .collect();
        Ok(known
            .iter()
            .filter(|migration| !applied.contains(&migration.name().version().to_string()))
            .count())
    }
}

#[derive(QueryableByName)]
struct Present {
    #[diesel(sql_type = Bool)]
    present: bool,
}

#[derive(QueryableByName)]
struct Applied {
    #[diesel(sql_type = Text)]
    version: String,
}
