//! Picks the storage adapter from the database target and applies its migrations.

use std::sync::Arc;
use std::time::Duration;

use calls_adapters_postgres::PostgresStorage;
use calls_adapters_sqlite::SqliteStorage;
use calls_core::ports::{
    CallExport, CallHistory, CallRecords, CallStatistics, CallSweeps, CallUsage, DatabaseHealth,
    PasswordResetTokens, RevocationStore, StorageBackend, UserRepository,
};
use secrecy::ExposeSecret;

use super::replica::ReplicaTarget;
use super::{StartupError, pooled};
use crate::settings::{
    DatabaseSettings, DatabaseTarget, MIGRATE_NEEDS_DIRECT_URL, MigrationPlan, SettingsError,
};

/// The storage ports, all served by the one adapter chosen at start.
#[derive(Clone)]
pub struct Storage {
    pub users: Arc<dyn UserRepository>,
    pub calls: Arc<dyn CallRecords>,
    pub history: Arc<dyn CallHistory>,
    pub export: Arc<dyn CallExport>,
    pub usage: Arc<dyn CallUsage>,
    pub sweeps: Arc<dyn CallSweeps>,
    pub statistics: Arc<dyn CallStatistics>,
    pub revocations: Arc<dyn RevocationStore>,
    pub password_resets: Arc<dyn PasswordResetTokens>,
    pub health: Arc<dyn DatabaseHealth>,
    /// The PostgreSQL adapter itself when the database is PostgreSQL, for what is built on its
    /// pool besides the storage ports (the shared login throttle); `None` on SQLite.
    pub postgres: Option<PostgresStorage>,
}

impl Storage {
    fn from_adapter<A>(adapter: A) -> Self
    where
        A: StorageBackend,
    {
        let adapter = Arc::new(adapter);
        Self {
            users: adapter.clone(),
            calls: adapter.clone(),
            history: adapter.clone(),
            export: adapter.clone(),
            usage: adapter.clone(),
            sweeps: adapter.clone(),
            statistics: adapter.clone(),
            revocations: adapter.clone(),
            password_resets: adapter.clone(),
            health: adapter,
            postgres: None,
        }
    }
}

/// Connects (failing fast when the database does not answer) and migrates. Blocking work runs
/// off the async workers.
pub async fn open_storage(
    target: DatabaseTarget,
    settings: &DatabaseSettings,
) -> Result<Storage, StartupError> {
    let description = target.describe();
    open(target, settings, true)
        .await?
        .ok_or_else(|| StartupError::Database {
            database: description,
            reason: "storage was not opened".to_owned(),
        })
}

/// Applies pending migrations and opens nothing for serving (`calls-server migrate`).
pub async fn migrate_storage(
    target: DatabaseTarget,
    settings: &DatabaseSettings,
) -> Result<(), StartupError> {
    open(target, settings, false).await.map(drop)
}

async fn open(
    target: DatabaseTarget,
    settings: &DatabaseSettings,
    serving: bool,
) -> Result<Option<Storage>, StartupError> {
    let description = target.describe();
    let fail = |reason: String| StartupError::Database {
        database: description.clone(),
        reason,
    };
    let plan = MigrationPlan::resolve(settings, &target)?;
    if !serving && matches!(plan, MigrationPlan::Skipped) {
        return Err(
            SettingsError::invalid("DATABASE_MIGRATION_URL", MIGRATE_NEEDS_DIRECT_URL).into(),
        );
    }
    let statements = pooled::prepared_statements(settings.pooler);
    let max_connections = settings.max_connections;
    let pipeline_connections = settings.history_pipeline_connections;
    let min_idle = settings.min_idle;
    let timeout = Duration::from_secs(settings.connect_timeout_secs);
    let replica = ReplicaTarget::from_settings(settings)?.filter(|_| serving);
    if replica.is_some() && matches!(target, DatabaseTarget::Sqlite(_)) {
        return Err(SettingsError::invalid(
            "DATABASE_REPLICA_URL",
            "a read replica needs a PostgreSQL database (DATABASE_URL)",
        )
        .into());
    }
    let opened = tokio::task::spawn_blocking(move || -> Result<Option<Storage>, String> {
        match target {
            DatabaseTarget::Postgres(url) => {
                pooled::migrate_as_planned(&plan, &url, timeout, migrate_postgres)?;
                if !serving {
                    return Ok(None);
                }
                let options = calls_adapters_postgres::PoolOptions {
                    max_size: max_connections,
                    min_idle,
                    connection_timeout: timeout,
                };
                let mut storage =
                    PostgresStorage::connect_with(url.expose_secret(), options, statements)
                        .map_err(|e| e.to_string())?;
                pipeline_history(
                    &mut storage,
                    url.expose_secret(),
                    statements,
                    pipeline_connections,
                    timeout,
                );
                let storage = match replica {
                    Some(replica) => replica.attach(storage)?,
                    None => storage,
                };
                Ok(Some(Storage {
                    postgres: Some(storage.clone()),
                    ..Storage::from_adapter(storage)
                }))
            }
            DatabaseTarget::Sqlite(path) => {
                let options = calls_adapters_sqlite::PoolOptions {
                    connection_timeout: timeout,
                    ..calls_adapters_sqlite::POOL_DEFAULTS
                };
                let storage = SqliteStorage::open(&path.to_string_lossy(), options)
                    .map_err(|e| e.to_string())?;
                let applied = storage.run_migrations().map_err(|e| e.to_string())?;
                tracing::info!(applied, "sqlite migrations up to date");
                Ok(Some(Storage::from_adapter(storage)))
            }
        }
    })
    .await
    .map_err(|err| fail(err.to_string()))?;
    opened.map_err(fail)
}

/// Reads history over pipelined connections where they reach the database as the pool does;
/// otherwise says why not and keeps the reads on the pool (never a reason to refuse to start).
fn pipeline_history(
    storage: &mut PostgresStorage,
    url: &str,
    statements: calls_adapters_postgres::PreparedStatements,
    connections_per_worker: usize,
    timeout: Duration,
) {
    let env = |name: &str| std::env::var(name).ok();
    let pipelined = calls_adapters_postgres::PipelineTarget::of(url, statements, &env)
        .and_then(|target| storage.pipeline_history(target, connections_per_worker, timeout));
    if let Err(reason) = pipelined {
        tracing::info!(%reason, "history pages are read on the connection pool");
    }
}

/// Migrates through a pool of one connection that is dropped afterwards, before the serving
/// pool exists: with no idle minimum it never opens connections in the background, so the
/// process can exit right after (`migrate`, or a start-up error) without a connection being
/// set up on another thread at exit.
pub(super) fn migrate_postgres(url: &str, timeout: Duration) -> Result<(), String> {
    let options = calls_adapters_postgres::PoolOptions {
        max_size: 1,
        min_idle: 0,
        connection_timeout: timeout,
    };
    let migrator = PostgresStorage::connect(url, options).map_err(|e| e.to_string())?;
    let applied = migrator.run_migrations().map_err(|e| e.to_string())?;
    tracing::info!(applied, "postgres migrations up to date");
    Ok(())
}
