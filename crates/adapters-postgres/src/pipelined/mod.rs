//! History pages read over asynchronous, pipelined connections: the hot path's one statement
//! sent from the HTTP worker itself instead of from a blocking thread.
//!
//! Why: the statement is already one round trip, yet the benchmark measured the server at a
//! third of what PostgreSQL serves (docs/BENCHMARKS.md, issue 18). A profile put 41 % of the
//! server's CPU in the kernel: each read hopped from its HTTP worker to a blocking thread, libpq
//! blocked that thread on the answer, and the answer hopped back. Sent on an asynchronous
//! connection driven by the worker's own event loop, a read costs no thread switch, and the
//! reads a worker has in flight share its few connections as a pipeline, so PostgreSQL serves
//! them from a handful of backends instead of one sleeping backend per request.
//!
//! The statement is the same one the blocking path sends (`history::statement`, written once
//! in `calls-storage-diesel`), executed by diesel-async on `tokio-postgres`; its rows are read
//! by the same code (`history::interpret`). Everything else (writes, transactions, the login
//! throttle, migrations) stays on the r2d2 pool.
//!
//! Used only where it is exactly equivalent: not behind a transaction-mode pooler (diesel-async
//! prepares named statements), and not where the URL asks for TLS (`tokio-postgres` runs here
//! without a TLS connector; libpq's TLS stays on the blocking path); see [`PipelineTarget`].

mod connections;
mod target;

use std::time::{Duration, Instant};

use calls_core::domain::{HistoryPage, HistoryQuery};
use calls_core::ports::{SessionRef, StorageError};
use chrono::Utc;
use diesel_async::RunQueryDsl;

use crate::history::{interpret, page_of, statement};
use crate::history_statement::AnswerRow;
use crate::rows::CallRow;
use connections::{Owner, Taken};
pub use target::{APPLICATION_NAME, NotPipelined, PipelineTarget};

/// How long a failed read waits to see whether the server is closing its connection (a
/// `FATAL` error is followed at once by the end of the stream).
const GOODBYE_WAIT: Duration = Duration::from_millis(100);

/// How long a request waits between looks while the first connections of its thread open.
const OPENING_POLL: Duration = Duration::from_millis(1);

/// The pipelined history reader of one storage.
pub(crate) struct PipelinedHistory {
    owner: Owner,
    target: PipelineTarget,
    connections_per_thread: usize,
    /// Bound on opening a connection, and on waiting for one being opened.
    connect_timeout: Duration,
}

impl PipelinedHistory {
    pub(crate) fn new(
        target: PipelineTarget,
        connections_per_thread: usize,
        connect_timeout: Duration,
    ) -> Self {
        Self {
            owner: Owner::new(),
            target,
            connections_per_thread: connections_per_thread.max(1),
            connect_timeout,
        }
    }

    /// The page, or `None` when `session` is revoked (then no call is read): the same answer
    /// as the blocking read, from the same statement.
    ///
    /// A read that meets a connection the server has closed (a restart, a failover,
    /// `pg_terminate_backend`, an idle timeout) is sent again once on a fresh connection: it
    /// only reads, so sending it twice changes nothing, and the client sees no error for what
    /// a reconnect repairs.
    pub(crate) async fn read(
        &self,
        query: HistoryQuery,
        session: Option<SessionRef>,
    ) -> Result<Option<HistoryPage>, StorageError> {
        match self.read_once(&query, session.as_ref()).await {
            Err(Attempt::ConnectionLost(error)) => {
                tracing::info!(reason = %error.chain(), "a pipelined connection was lost; reading again on a new one");
                self.read_once(&query, session.as_ref())
                    .await
                    .map_err(Attempt::into_error)
            }
            other => other.map_err(Attempt::into_error),
        }
    }

    async fn read_once(
        &self,
        query: &HistoryQuery,
        session: Option<&SessionRef>,
    ) -> Result<Option<HistoryPage>, Attempt> {
        let lease = self.lease().await.map_err(Attempt::Failed)?;
        let now = Utc::now();
        let revocation = session.map(|session| (session, now));
        let (statement, writes) = statement(query, revocation, None);
        let mut connection = &lease.slot().connection;
        let loaded = statement.load::<AnswerRow<CallRow>>(&mut connection).await;
        let rows = match loaded {
            Ok(rows) => rows,
            Err(error) => {
                let lost =
                    closes_connection(&error) || lease.slot().closes_within(GOODBYE_WAIT).await;
                if lost {
                    lease.slot().close();
                    // Whatever the server said as it went, the database is out of reach for
                    // this read: 503, as the pool answers a lost connection.
                    return Err(Attempt::ConnectionLost(
                        StorageError::unavailable("the PostgreSQL connection was lost")
                            .caused_by(error),
                    ));
                }
                return Err(Attempt::Failed(
                    calls_storage_diesel::errors::storage_error(error),
                ));
            }
        };
        drop(lease);
        interpret(query, rows, writes)
            .and_then(page_of)
            .map_err(Attempt::Failed)
    }

    async fn lease(&self) -> Result<connections::Lease, StorageError> {
        let deadline = Instant::now() + self.connect_timeout;
        loop {
            match connections::take(&self.owner, self.connections_per_thread) {
                Taken::Lease(lease) => return Ok(lease),
                Taken::Open(place) => {
                    let slot =
                        connections::open(self.target.config(), self.connect_timeout).await?;
                    return Ok(connections::adopt(place, slot));
                }
                Taken::Wait if Instant::now() >= deadline => {
                    return Err(StorageError::unavailable(format!(
                        "no pipelined PostgreSQL connection opened within {:?}",
                        self.connect_timeout
                    )));
                }
                Taken::Wait => tokio::time::sleep(OPENING_POLL).await,
            }
        }
    }
}

impl std::fmt::Debug for PipelinedHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelinedHistory")
            .field("connections_per_thread", &self.connections_per_thread)
            .finish_non_exhaustive()
    }
}

/// Opens one connection to `target` and closes it, on a runtime of its own on a thread of its
/// own (the caller may be inside a runtime, or on no runtime at all), within `timeout`.
pub(crate) fn check_reachable(
    target: &PipelineTarget,
    timeout: Duration,
) -> Result<(), NotPipelined> {
    let config = target.config().clone();
    let check = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| NotPipelined::Unreachable(error.to_string()))?;
        runtime.block_on(async move {
            connections::open(&config, timeout)
                .await
                .map(drop)
                .map_err(|error| NotPipelined::Unreachable(error.chain()))
        })
    });
    check
        .join()
        .unwrap_or_else(|_| Err(NotPipelined::Unreachable("the check panicked".to_owned())))
}

/// How one attempt at a read ended, when it did not succeed.
enum Attempt {
    /// The connection is gone; the read may be sent again on another.
    ConnectionLost(StorageError),
    Failed(StorageError),
}

impl Attempt {
    fn into_error(self) -> StorageError {
        match self {
            Self::ConnectionLost(error) | Self::Failed(error) => error,
        }
    }
}

/// Whether `error` means the connection itself is gone (not just this statement):
/// diesel-async reports a statement that could not reach the server as `UnableToSendCommand`,
/// and the server's own goodbye (`57P01 admin_shutdown`, `57P02 crash_shutdown`, ...) as an
/// error on the last statement, after which the connection's task ends (`Slot::is_closed`).
fn closes_connection(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        error,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | Error::BrokenTransactionManager
    )
}
