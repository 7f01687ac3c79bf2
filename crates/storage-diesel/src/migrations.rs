//! Applying migrations, the same on both backends; each backend embeds its own folder of them
//! (`migrations/postgres`, `migrations/sqlite`) and adds what it needs around them (PostgreSQL's
//! advisory lock across instances).

use diesel::Connection;
use diesel::r2d2::{PooledConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::Blocking;
use crate::errors::pool_error;
use crate::manager::CheckedManager;

/// Why the migrations could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    #[error("database unavailable for migrations: {0}")]
    Unavailable(String),
    #[error("database migration failed: {0}")]
    Failed(String),
}

impl<C: R2D2Connection + 'static> Blocking<C> {
    /// A connection of the pool, held by the caller for the whole migration run. Blocking.
    pub fn migration_connection(
        &self,
    ) -> Result<PooledConnection<CheckedManager<C>>, MigrationError> {
        self.pool()
            .get()
            .map_err(|error| MigrationError::Unavailable(pool_error(error).chain()))
    }
}

/// Applies what `migrations` has that the database's `__diesel_schema_migrations` does not;
/// returns how many ran (0 when the schema is current).
pub fn apply_pending<C>(
    conn: &mut C,
    migrations: EmbeddedMigrations,
    backend: &'static str,
) -> Result<usize, MigrationError>
where
    C: Connection + MigrationHarness<C::Backend>,
{
    let applied = conn
        .run_pending_migrations(migrations)
        .map(|versions| versions.len())
        .map_err(|error| MigrationError::Failed(error.to_string()))?;
    if applied > 0 {
        tracing::info!(applied, backend, "applied migrations");
    }
    Ok(applied)
}
