//! Diesel's blocking calls, run off the async workers.

use std::sync::Arc;
use std::time::Duration;

use calls_core::ports::{PoolState, StorageError};
use diesel::r2d2::{Pool, R2D2Connection};

use crate::errors::pool_error;
use crate::manager::{CheckedManager, connection_lost_reset};
use tokio::sync::Semaphore;

/// The connection pool plus a semaphore with one permit per pooled connection.
///
/// A caller takes a permit *before* it occupies a blocking thread, so a burst of requests queues
/// here, cheaply, instead of filling tokio's blocking pool with threads that all wait for a
/// connection. The wait for a permit is bounded by the pool's connection timeout, so a saturated
/// or unreachable database surfaces as [`StorageError::Unavailable`] instead of a hang.
pub struct Blocking<C: R2D2Connection + 'static> {
    pool: Pool<CheckedManager<C>>,
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl<C: R2D2Connection + 'static> Clone for Blocking<C> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            permits: Arc::clone(&self.permits),
            wait: self.wait,
        }
    }
}

impl<C: R2D2Connection + 'static> Blocking<C> {
    pub fn new(pool: Pool<CheckedManager<C>>, wait: Duration) -> Self {
        let permits = usize::try_from(pool.max_size()).unwrap_or(1);
        Self {
            pool,
            permits: Arc::new(Semaphore::new(permits)),
            wait,
        }
    }

    pub fn pool(&self) -> &Pool<CheckedManager<C>> {
        &self.pool
    }

    /// r2d2's own bookkeeping: no database access.
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle_connections: state.idle_connections,
            max_connections: self.pool.max_size(),
        }
    }

    /// Runs `work` with a pooled connection on the blocking thread pool, inside the caller's
    /// tracing span. `operation` names the work in traces and errors.
    pub async fn run<T, E, F>(&self, operation: &'static str, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut C) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| {
                StorageError::unavailable(format!(
                    "no database connection became free within {:?} ({operation})",
                    self.wait
                ))
            })?
            .map_err(|_| StorageError::unavailable("storage is shut down"))?;
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _caller = span.enter();
            let _operation = tracing::debug_span!("db", operation).entered();
            let mut connection = pool.get().map_err(pool_error)?;
            // The work reports a lost connection through `mark_connection_lost`; the pool reads
            // the mark when `connection` goes back to it, at the end of this closure.
            connection_lost_reset();
            work(&mut connection)
        });
        match task.await {
            Ok(result) => result,
            Err(error) => Err(StorageError::unexpected(format!(
                "database task {operation} did not complete"
            ))
            .caused_by(error)
            .into()),
        }
    }
}
