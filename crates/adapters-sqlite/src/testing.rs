//! Throw-away databases for tests (feature `test-support`): a database file in a new temporary
//! directory, deleted with it on `Drop`.

use std::path::{Path, PathBuf};

use diesel::{Connection, SqliteConnection};
use tempfile::TempDir;

use crate::{POOL_DEFAULTS, SqliteStorage};

/// A database file that exists for the lifetime of this value.
#[derive(Debug)]
pub struct TestDatabase {
    // Dropped last: deletes the directory with the database and its WAL files.
    dir: TempDir,
    path: PathBuf,
}

impl TestDatabase {
    /// A new temporary directory; the database file in it does not exist yet.
    ///
    /// # Panics
    /// When no temporary directory can be created.
    pub fn create() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("calls-test-")
            .tempdir()
            .unwrap_or_else(|error| panic!("cannot create a temporary directory: {error}"));
        let path = dir.path().join("calls.db");
        Self { dir, path }
    }

    /// A new database with every migration applied, and a storage opened on it.
    ///
    /// # Panics
    /// When opening or migrating fails.
    pub fn migrated() -> (Self, SqliteStorage) {
        let database = Self::create();
        let storage = database.open();
        let applied = storage
            .run_migrations()
            .unwrap_or_else(|error| panic!("migrating {}: {error}", database.path.display()));
        assert!(applied > 0, "a new database must need migrations");
        (database, storage)
    }

    /// [`TestDatabase::migrated`] off the async workers, for `#[tokio::test]`s. Always `Some`;
    /// the `Option` matches the PostgreSQL adapter's, whose server may be missing.
    pub async fn migrated_async() -> Option<(Self, SqliteStorage)> {
        let migrated = tokio::task::spawn_blocking(Self::migrated)
            .await
            .unwrap_or_else(|error| panic!("creating a test database: {error}"));
        Some(migrated)
    }

    /// A storage on this database with the default pool.
    ///
    /// # Panics
    /// When the file cannot be opened.
    pub fn open(&self) -> SqliteStorage {
        SqliteStorage::open(&self.url(), POOL_DEFAULTS)
            .unwrap_or_else(|error| panic!("opening {}: {error}", self.path.display()))
    }

    /// `sqlite://<path>`.
    pub fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary directory holding the database.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A direct connection (without the pool's pragmas), for tests that prepare or inspect rows
    /// with plain SQL.
    ///
    /// # Panics
    /// When the file cannot be opened.
    pub fn raw_connection(&self) -> SqliteConnection {
        let location = self.path.to_string_lossy();
        SqliteConnection::establish(&location)
            .unwrap_or_else(|error| panic!("opening {location}: {error}"))
    }
}
