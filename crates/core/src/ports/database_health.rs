//! Readiness of the database, for `/system/ready`, the state of its connection pool, for
//! metrics, and the read replica's state, for `/system/health` and metrics.

use async_trait::async_trait;

use super::{ReplicaReport, StorageError};

/// A snapshot of the storage's connection pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolState {
    /// Connections open, busy or idle.
    pub connections: u32,
    /// Open connections waiting to be used.
    pub idle_connections: u32,
    /// Most connections the pool opens at once.
    pub max_connections: u32,
}

impl PoolState {
    /// Connections checked out and running work.
    pub fn in_use(&self) -> u32 {
        self.connections.saturating_sub(self.idle_connections)
    }
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DatabaseHealth: Send + Sync {
    /// Runs a trivial query. Errors: [`StorageError::Unavailable`] when the database does not
    /// answer in time.
    async fn ping(&self) -> Result<(), StorageError>;

    /// The connection pool's state right now. Never touches the database, never blocks for
    /// long (a lock on the pool's bookkeeping).
    fn pool_state(&self) -> PoolState;

    /// The read replica's state and where history pages were read, when the storage reads
    /// history from a replica; `None` otherwise (the default). Never touches a database: the
    /// storage measures the replica in the background.
    fn replica(&self) -> Option<ReplicaReport> {
        None
    }
}
