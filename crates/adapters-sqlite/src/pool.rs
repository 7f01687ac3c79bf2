//! The SQLite connection pool: its defaults, the file it opens and the per-connection pragmas.

use std::path::Path;
use std::time::Duration;

use calls_storage_diesel::{CheckedManager, PoolOptions};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, Pool};
use diesel::{Connection, SqliteConnection};

pub(crate) type SqlitePool = Pool<CheckedManager<SqliteConnection>>;

/// Set on every connection when it is opened:
/// * `busy_timeout` first, so that the statements after it (and every write) wait for a lock
///   instead of failing at once with "database is locked";
/// * WAL, so readers never block the writer nor each other;
/// * foreign keys, off by default in SQLite, for `ON DELETE CASCADE` and the owner check;
/// * `synchronous = NORMAL`, durable across application crashes and the usual choice with WAL.
const PRAGMAS: &str = "PRAGMA busy_timeout = 5000;
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
PRAGMA synchronous = NORMAL;";

/// SQLite runs one write at a time whatever the pool's size; more connections let reads proceed
/// beside it. The timeout matches the busy timeout: a connection can legitimately be held that
/// long by a write queued behind others.
pub const POOL_DEFAULTS: PoolOptions = PoolOptions {
    max_size: 8,
    min_idle: 1,
    connection_timeout: Duration::from_secs(5),
};

/// Why no storage could be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid database settings: {0}")]
    InvalidOptions(String),
    #[error("invalid SQLite database location: {0}")]
    InvalidLocation(String),
    /// The file or its directory could not be created or opened.
    #[error("cannot open SQLite database {path}: {reason}")]
    CannotOpen { path: String, reason: String },
}

/// Creates the parent directories, opens the file once (which switches it to WAL mode, a
/// persistent setting, before several connections race to do it) and builds the pool.
pub(crate) fn build(path: &Path, options: &PoolOptions) -> Result<SqlitePool, ConnectError> {
    options
        .validate()
        .map_err(|invalid| ConnectError::InvalidOptions(invalid.0))?;
    let shown = path.display().to_string();
    let cannot_open = |reason: String| ConnectError::CannotOpen {
        path: shown.clone(),
        reason,
    };
    let location = path
        .to_str()
        .ok_or_else(|| cannot_open("the path is not valid UTF-8".to_owned()))?;
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|error| cannot_open(error.to_string()))?;
    }
    let mut first =
        SqliteConnection::establish(location).map_err(|error| cannot_open(error.to_string()))?;
    first
        .batch_execute(PRAGMAS)
        .map_err(|error| cannot_open(error.to_string()))?;
    drop(first);
    let pool = options
        .builder("SQLite")
        .connection_customizer(Box::new(Pragmas))
        .build(CheckedManager::<SqliteConnection>::new(location))
        .map_err(|error| cannot_open(error.to_string()))?;
    pool.get().map_err(|error| cannot_open(error.to_string()))?;
    Ok(pool)
}

/// Applies [`PRAGMAS`] to each new pooled connection.
#[derive(Debug, Clone, Copy)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(PRAGMAS)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    use super::*;

    #[derive(QueryableByName, Debug, PartialEq, Eq)]
    struct Settings {
        #[diesel(sql_type = Text)]
        journal_mode: String,
        #[diesel(sql_type = BigInt)]
        busy_timeout: i64,
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
        #[diesel(sql_type = BigInt)]
        synchronous: i64,
    }

    const SETTINGS: &str = "SELECT
        (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
        (SELECT timeout FROM pragma_busy_timeout) AS busy_timeout,
        (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys,
        (SELECT synchronous FROM pragma_synchronous) AS synchronous";

    #[test]
    fn every_pooled_connection_has_the_pragmas() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let options = PoolOptions {
            max_size: 3,
            min_idle: 1,
            connection_timeout: Duration::from_secs(5),
        };
        let pool = build(&dir.path().join("calls.db"), &options).expect("pool");
        // Hold three at once, so that they are three distinct connections.
        let mut held: Vec<_> = (0..3).map(|_| pool.get().expect("connection")).collect();
        for conn in &mut held {
            let settings: Settings = diesel::sql_query(SETTINGS)
                .get_result(&mut **conn)
                .expect("reading pragmas");
            assert_eq!(
                settings,
                Settings {
                    journal_mode: "wal".to_owned(),
                    busy_timeout: 5000,
                    foreign_keys: 1,
                    // NORMAL
                    synchronous: 1,
                }
            );
        }
    }

    #[test]
    fn a_plain_connection_lacks_them_so_the_test_above_means_something() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("plain.db");
        let mut conn =
            SqliteConnection::establish(&path.to_string_lossy()).expect("plain connection");
        let settings: Settings = diesel::sql_query(SETTINGS)
            .get_result(&mut conn)
            .expect("reading pragmas");
        // (diesel itself turns foreign keys on, so that one cannot be told apart here.)
        assert_ne!(settings.journal_mode, "wal");
        assert_eq!(settings.busy_timeout, 0);
        assert_ne!(settings.synchronous, 1);
    }

    #[test]
    fn invalid_settings_are_errors_not_panics() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("calls.db");
        for options in [
            PoolOptions {
                max_size: 0,
                ..POOL_DEFAULTS
            },
            PoolOptions {
                max_size: 1,
                min_idle: 2,
                ..POOL_DEFAULTS
            },
            PoolOptions {
                connection_timeout: Duration::ZERO,
                ..POOL_DEFAULTS
            },
        ] {
            assert!(
                matches!(build(&path, &options), Err(ConnectError::InvalidOptions(_))),
                "{options:?}"
            );
        }
    }
}
