//! The adapter: one cloneable handle implementing every storage port.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calls_storage_diesel::{Blocking, PoolOptions};
use diesel::SqliteConnection;

use crate::location::database_path;
use crate::pool::{self, ConnectError};

/// SQLite storage in one database file. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct SqliteStorage {
    pub(crate) db: Blocking<SqliteConnection>,
    path: Arc<PathBuf>,
}

impl SqliteStorage {
    /// Opens (creating it, and its missing parent directories, if needed) the database at
    /// `url_or_path`: `sqlite://path`, `sqlite:path` or a plain path. Blocking.
    ///
    /// Errors: [`ConnectError::InvalidLocation`] (also for in-memory databases, which a pool
    /// cannot share), [`ConnectError::InvalidOptions`], [`ConnectError::CannotOpen`].
    pub fn open(url_or_path: &str, options: PoolOptions) -> Result<Self, ConnectError> {
        let path = database_path(url_or_path)?;
        let timeout = options.connection_timeout;
        let pool = pool::build(&path, &options)?;
        tracing::info!(path = %path.display(), max_connections = options.max_size, "opened SQLite database");
        Ok(Self {
            db: Blocking::new(pool, timeout),
            path: Arc::new(path),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.db.pool().state();
        f.debug_struct("SqliteStorage")
            .field("path", &self.path)
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .finish()
    }
}
