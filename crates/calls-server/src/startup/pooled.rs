//! What `database.pooler` changes at start: how statements are sent, where migrations run, and
//! the schema check that replaces migrating when they cannot run here.

use std::time::Duration;

use calls_adapters_postgres::{PostgresStorage, PreparedStatements};
use secrecy::{ExposeSecret as _, SecretString};

use crate::settings::{DatabaseTarget, MigrationPlan, PoolerMode};

/// Unnamed statements behind a transaction-mode pooler (its server sessions change between
/// transactions); diesel's cached, named statements otherwise.
pub(super) fn prepared_statements(pooler: PoolerMode) -> PreparedStatements {
    if pooler.shares_sessions() {
        PreparedStatements::Unnamed
    } else {
        PreparedStatements::Cached
    }
}

/// Runs the migrations where `plan` says, with `migrate` (the one-connection migrator), or, when
/// they are skipped, checks that the schema is current. Blocking.
pub(super) fn migrate_as_planned(
    plan: &MigrationPlan,
    serving_url: &SecretString,
    timeout: Duration,
    migrate: fn(&str, Duration) -> Result<(), String>,
) -> Result<(), String> {
    match plan {
        MigrationPlan::OnServingDatabase => migrate(serving_url.expose_secret(), timeout),
        MigrationPlan::Direct(direct) => {
            let location = DatabaseTarget::Postgres(direct.clone()).describe();
            tracing::info!(migration_database = %location, "migrating through database.migration_url");
            migrate(direct.expose_secret(), timeout)
                .map_err(|reason| format!("database.migration_url ({location}): {reason}"))
        }
        MigrationPlan::Skipped => {
            tracing::warn!(
                "not migrating at start: database.pooler is transaction and \
                 database.migration_url (DATABASE_MIGRATION_URL) is unset, and migrations never \
                 run through a transaction-mode pooler; checking that the schema is current"
            );
            require_current_schema(serving_url.expose_secret(), timeout)
        }
    }
}

/// Refuses to serve on a schema this release's migrations have not all reached: its queries
/// would fail on missing tables or columns. Reads through a pool of one connection, unnamed
/// statements and no idle minimum, dropped before the serving pool opens (as the migrator), so
/// that a refusal exits with no connection being opened in the background. Blocking.
fn require_current_schema(url: &str, timeout: Duration) -> Result<(), String> {
    let options = calls_adapters_postgres::PoolOptions {
        max_size: 1,
        min_idle: 0,
        connection_timeout: timeout,
    };
    let checker = PostgresStorage::connect_with(url, options, PreparedStatements::Unnamed)
        .map_err(|e| e.to_string())?;
    match checker.pending_migrations().map_err(|e| e.to_string())? {
        0 => {
            tracing::info!("schema is current");
            Ok(())
        }
        pending => Err(format!(
            "the schema is not current ({pending} migrations of this release not applied) and \
             migrations do not run through a transaction-mode pooler: run `calls-server migrate` \
             with DATABASE_MIGRATION_URL (database.migration_url) set to a direct postgres:// URL \
             of the PostgreSQL server, then start again"
        )),
    }
}
