//! The r2d2 connection pool and its settings.

use std::time::Duration;

use calls_adapters_diesel::CheckedManager;
use diesel::PgConnection;
use diesel::r2d2::{HandleError, Pool};

pub(crate) type PgPool = Pool<CheckedManager<PgConnection>>;

/// Connection pool settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOptions {
    /// Most connections open at once, and so most database operations running at once.
    pub max_size: u32,
    /// Connections kept open while idle, so that a burst does not pay for connecting.
    pub min_idle: u32,
    /// How long an operation waits for a connection before failing with
    /// `StorageError::Unavailable`; also how long [`connect`](crate::PostgresStorage::connect)
    /// tries before giving up.
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    /// The Go backend's pool (25 open, 5 idle), with a short timeout so that an outage answers
    /// "unavailable" within about two seconds instead of hanging requests.
    fn default() -> Self {
        Self {
            max_size: 25,
            min_idle: 5,
            connection_timeout: Duration::from_secs(2),
        }
    }
}

/// Why no storage could be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid database settings: {0}")]
    InvalidOptions(String),
    /// The server did not accept a connection within the timeout (down, unreachable, wrong
    /// credentials or database name).
    #[error("cannot connect to PostgreSQL: {0}")]
    Unreachable(String),
}

/// Builds the pool and checks that the server answers: r2d2 opens `min_idle` connections before
/// returning, and one checkout covers `min_idle == 0`. Blocks for at most about
/// `connection_timeout`.
///
/// No checkout is made when `min_idle > 0`: taking an idle connection makes r2d2 open a
/// replacement on its own thread, and a process that exits while that thread is inside libpq's
/// TLS handshake can crash in OpenSSL's exit handler. After this returns, the pool opens nothing
/// until it is used.
pub(crate) fn build(url: &str, options: &PoolOptions) -> Result<PgPool, ConnectError> {
    validate(url, options)?;
    let pool = Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(options.min_idle))
        .connection_timeout(options.connection_timeout)
        // No `SELECT 1` per checkout: dead connections are dropped by `CheckedManager` once a
        // statement finds them closed (see calls-adapters-diesel).
        .test_on_check_out(false)
        .error_handler(Box::new(TracingErrorHandler))
        .build(CheckedManager::<PgConnection>::new(url))
        .map_err(|error| ConnectError::Unreachable(error.to_string()))?;
    if options.min_idle == 0 {
        pool.get()
            .map_err(|error| ConnectError::Unreachable(error.to_string()))?;
    }
    Ok(pool)
}

/// r2d2 panics on these, so they are refused here with a clear message instead.
fn validate(url: &str, options: &PoolOptions) -> Result<(), ConnectError> {
    if url.trim().is_empty() {
        return Err(ConnectError::InvalidOptions(
            "the database URL is empty".to_owned(),
        ));
    }
    if options.max_size == 0 {
        return Err(ConnectError::InvalidOptions(
            "max_size must be at least 1".to_owned(),
        ));
    }
    if options.min_idle > options.max_size {
        return Err(ConnectError::InvalidOptions(format!(
            "min_idle ({}) must not exceed max_size ({})",
            options.min_idle, options.max_size
        )));
    }
    if options.connection_timeout.is_zero() {
        return Err(ConnectError::InvalidOptions(
            "connection_timeout must be positive".to_owned(),
        ));
    }
    Ok(())
}

/// Reports failed connection attempts through `tracing` (r2d2's default uses the `log` crate,
/// which this workspace does not route anywhere). libpq's messages name host and port, never the
/// password.
#[derive(Debug, Clone, Copy)]
struct TracingErrorHandler;

impl HandleError<diesel::r2d2::Error> for TracingErrorHandler {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(%error, "PostgreSQL connection attempt failed");
    }
}
