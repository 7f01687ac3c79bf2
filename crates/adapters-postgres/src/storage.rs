//! The adapter: one cloneable handle implementing every storage port.

use std::fmt;
use std::sync::Arc;

use calls_storage_diesel::{Blocking, PoolOptions};
use diesel::PgConnection;

use crate::pipelined::{NotPipelined, PipelineTarget, PipelinedHistory};
use crate::pool::{self, ConnectError};
use crate::replica::ReadReplica;
use crate::statements::PreparedStatements;

/// PostgreSQL storage. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct PostgresStorage {
    pub(crate) db: Blocking<PgConnection>,
    /// Where history pages are read when it keeps up ([`PostgresStorage::with_read_replica`]).
    pub(crate) replica: Option<Arc<ReadReplica>>,
    /// History pages read from the HTTP worker itself ([`PostgresStorage::pipeline_history`]).
    pub(crate) pipelined: Option<Arc<PipelinedHistory>>,
}

impl PostgresStorage {
    /// Opens a pool to `url` (`postgres://user:password@host:port/database?sslmode=...`) and
    /// checks that the server answers. Blocks for at most about `options.connection_timeout`,
    /// so call it before serving or from a blocking context.
    ///
    /// Errors: [`ConnectError::InvalidOptions`], or [`ConnectError::Unreachable`] when no
    /// connection could be opened in time.
    pub fn connect(url: &str, options: PoolOptions) -> Result<Self, ConnectError> {
        Self::connect_with(url, options, PreparedStatements::Cached)
    }

    /// As [`PostgresStorage::connect`], with the pool's connections sending statements as
    /// `statements` says: [`PreparedStatements::Unnamed`] behind a transaction-mode pooler.
    pub fn connect_with(
        url: &str,
        options: PoolOptions,
        statements: PreparedStatements,
    ) -> Result<Self, ConnectError> {
        let timeout = options.connection_timeout;
        let pool = pool::build(url, &options, statements)?;
        tracing::info!(
            max_connections = options.max_size,
            min_idle = options.min_idle,
            prepared_statements = ?statements,
            "connected to PostgreSQL"
        );
        Ok(Self {
            db: Blocking::new(pool, timeout),
            replica: None,
            pipelined: None,
        })
    }

    /// Reads history pages over up to `connections_per_thread` pipelined connections per
    /// calling thread (an HTTP worker), instead of on the blocking pool: the same statement,
    /// without a hop to a blocking thread (see the `pipelined` module). Opens one connection to
    /// check that `target` answers, within `timeout`; blocks meanwhile, so call it before
    /// serving or from a blocking context.
    ///
    /// Errors: [`NotPipelined::SwitchedOff`] for 0 connections, [`NotPipelined::Unreachable`]
    /// when the check fails; the storage then keeps reading on the blocking pool.
    pub fn pipeline_history(
        &mut self,
        target: PipelineTarget,
        connections_per_thread: usize,
        timeout: std::time::Duration,
    ) -> Result<(), NotPipelined> {
        if connections_per_thread == 0 {
            return Err(NotPipelined::SwitchedOff);
        }
        crate::pipelined::check_reachable(&target, timeout)?;
        self.pipelined = Some(Arc::new(PipelinedHistory::new(
            target,
            connections_per_thread,
            timeout,
        )));
        tracing::info!(
            connections_per_thread,
            "history pages are read over pipelined connections"
        );
        Ok(())
    }
}

impl fmt::Debug for PostgresStorage {
    /// Never prints the URL: it may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.db.pool().state();
        f.debug_struct("PostgresStorage")
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .field("read_replica", &self.replica.is_some())
            .field("pipelined_history", &self.pipelined.is_some())
            .finish()
    }
}
