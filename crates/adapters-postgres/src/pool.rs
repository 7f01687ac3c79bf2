//! The PostgreSQL connection pool: its defaults and how it is opened.

use std::time::Duration;

use calls_storage_diesel::{CheckedManager, PoolOptions, WithoutStatementCache};
use diesel::PgConnection;
use diesel::r2d2::Pool;

use crate::statements::PreparedStatements;

pub(crate) type PgPool = Pool<CheckedManager<PgConnection>>;

/// The Go backend's pool (25 open, 5 idle), with a short timeout so that an outage answers
/// "unavailable" within about two seconds instead of hanging requests.
pub const POOL_DEFAULTS: PoolOptions = PoolOptions {
    max_size: 25,
    min_idle: 5,
    connection_timeout: Duration::from_secs(2),
};

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
///
/// With [`PreparedStatements::Unnamed`], every connection the pool opens has diesel's statement
/// cache turned off before first use.
pub(crate) fn build(
    url: &str,
    options: &PoolOptions,
    statements: PreparedStatements,
) -> Result<PgPool, ConnectError> {
    if url.trim().is_empty() {
        return Err(ConnectError::InvalidOptions(
            "the database URL is empty".to_owned(),
        ));
    }
    options
        .validate()
        .map_err(|invalid| ConnectError::InvalidOptions(invalid.0))?;
    let builder = options.builder("PostgreSQL");
    let builder = match statements {
        PreparedStatements::Cached => builder,
        PreparedStatements::Unnamed => {
            builder.connection_customizer(Box::new(WithoutStatementCache))
        }
    };
    let pool = builder
        .build(CheckedManager::<PgConnection>::new(url))
        .map_err(|error| ConnectError::Unreachable(error.to_string()))?;
    if options.min_idle == 0 {
        pool.get()
            .map_err(|error| ConnectError::Unreachable(error.to_string()))?;
    }
    Ok(pool)
}
