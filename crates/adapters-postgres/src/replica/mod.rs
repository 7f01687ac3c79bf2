//! History pages read from a read replica (a PostgreSQL streaming standby, e.g. made with
//! `pg_basebackup -R`), with the rules that keep them exact:
//!
//! * revocation is decided on the primary, never on the replica;
//! * a user's own writes are in their next page on every instance: the primary's per-user write
//!   count (kept by triggers in the write's transaction) is compared with the replica's in the
//!   page's snapshot, and the page is read on the primary when the replica is behind it;
//! * a replica lagging beyond [`ReplicaOptions::max_lag`], or down, is not read at all; a
//!   background probe measures it ([`monitor`]) and requests only read the condition it leaves,
//!   so a dead replica costs no request a connection timeout.
//!
//! Everything else (writes, every other read) stays on the primary pool.

mod lag;
mod monitor;
mod reads;
mod state;
mod statements;

use std::sync::Arc;
use std::time::Duration;

use calls_core::ports::ReplicaReport;
use calls_storage_diesel::{Blocking, CheckedManager, PoolOptions};
use diesel::PgConnection;
use diesel::r2d2::HandleError;
use tokio::sync::oneshot;

use crate::pool::ConnectError;
use crate::storage::PostgresStorage;
use state::ReplicaState;

/// How the replica is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaOptions {
    /// The replica's own pool: its size, idle minimum, and how long a read or a probe waits for
    /// a connection.
    pub pool: PoolOptions,
    /// Beyond this lag, pages are read on the primary.
    pub max_lag: Duration,
    /// How often the replica's lag and health are measured.
    pub probe_interval: Duration,
}

/// The replica's pool and its measured state, shared by the storage's clones and the probe.
pub(crate) struct ReadReplica {
    db: Blocking<PgConnection>,
    state: ReplicaState,
    /// Dropped with the last clone of the storage, which stops the probe at once.
    _stop_probe: oneshot::Sender<()>,
}

impl PostgresStorage {
    /// This storage, reading history pages from the replica at `url` when it may. The replica
    /// need not answer yet: no connection is opened here, pages are read on the primary until
    /// the first probe (started here, on the current tokio runtime, and stopped when the last
    /// clone of the storage is dropped) has found it healthy.
    ///
    /// Errors: [`ConnectError::InvalidOptions`] for an empty URL or invalid pool settings.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn with_read_replica(
        mut self,
        url: &str,
        options: ReplicaOptions,
    ) -> Result<Self, ConnectError> {
        if url.trim().is_empty() {
            return Err(ConnectError::InvalidOptions(
                "the replica URL is empty".to_owned(),
            ));
        }
        if options.max_lag.is_zero() || options.probe_interval.is_zero() {
            return Err(ConnectError::InvalidOptions(
                "the replica's lag limit and probe interval must be positive".to_owned(),
            ));
        }
        options.pool.validate().map_err(|invalid| {
            ConnectError::InvalidOptions(format!("replica pool: {}", invalid.0))
        })?;
        // Not checked at build: a replica that is down at start must not stop the server. Its
        // failed connection attempts are the probe's to report (rate-limited), not one warning
        // per attempt.
        let pool = options
            .pool
            .builder::<PgConnection>("PostgreSQL replica")
            .error_handler(Box::new(QuietReplicaErrors))
            .build_unchecked(CheckedManager::<PgConnection>::new(url));
        let (stop_probe, probe_stopped) = oneshot::channel();
        let replica = Arc::new(ReadReplica {
            db: Blocking::new(pool, options.pool.connection_timeout),
            state: ReplicaState::new(options.max_lag),
            _stop_probe: stop_probe,
        });
        tokio::spawn(monitor::run(
            self.db.clone(),
            Arc::downgrade(&replica),
            options.probe_interval,
            probe_stopped,
        ));
        tracing::info!(
            max_connections = options.pool.max_size,
            max_lag_ms = u64::try_from(options.max_lag.as_millis()).unwrap_or(u64::MAX),
            "history pages will be read from the replica while it keeps up"
        );
        self.replica = Some(replica);
        Ok(self)
    }

    /// What `DatabaseHealth::replica` reports.
    pub(crate) fn replica_report(&self) -> Option<ReplicaReport> {
        self.replica.as_ref().map(|replica| replica.state.report())
    }
}

/// The replica pool's failed connection attempts, at debug level: the replica's state changes
/// are logged by [`ReplicaState`], once per change.
#[derive(Debug, Clone, Copy)]
struct QuietReplicaErrors;

impl HandleError<diesel::r2d2::Error> for QuietReplicaErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::debug!(%error, "replica connection attempt failed");
    }
}
