//! The r2d2 pool both backends build: its settings, their validation, and its error reporting.
//! What a backend adds (PostgreSQL's URL check, SQLite's pragmas and file) stays in its crate.

use std::time::Duration;

use diesel::r2d2::{Builder, HandleError, R2D2Connection};

use crate::manager::CheckedManager;

/// Connection pool settings. Each backend crate has its own defaults (`POOL_DEFAULTS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOptions {
    /// Most connections open at once, and so most database operations running at once.
    pub max_size: u32,
    /// Connections kept open while idle, so that a burst does not pay for connecting.
    pub min_idle: u32,
    /// How long an operation waits for a connection before failing with
    /// `StorageError::Unavailable`; also how long opening the storage tries before giving up.
    pub connection_timeout: Duration,
}

/// Settings r2d2 would panic on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid database settings: {0}")]
pub struct InvalidPoolOptions(pub String);

impl PoolOptions {
    /// Refuses, with a message naming the setting, what r2d2 would panic on.
    pub fn validate(&self) -> Result<(), InvalidPoolOptions> {
        if self.max_size == 0 {
            return Err(InvalidPoolOptions("max_size must be at least 1".to_owned()));
        }
        if self.min_idle > self.max_size {
            return Err(InvalidPoolOptions(format!(
                "min_idle ({}) must not exceed max_size ({})",
                self.min_idle, self.max_size
            )));
        }
        if self.connection_timeout.is_zero() {
            return Err(InvalidPoolOptions(
                "connection_timeout must be positive".to_owned(),
            ));
        }
        Ok(())
    }

    /// An r2d2 builder with these settings, failed connection attempts reported through
    /// `tracing` under `backend`'s name, and no `SELECT 1` per checkout: dead connections are
    /// dropped by [`CheckedManager`] once a statement finds them closed.
    pub fn builder<C: R2D2Connection + 'static>(
        &self,
        backend: &'static str,
    ) -> Builder<CheckedManager<C>> {
        diesel::r2d2::Pool::builder()
            .max_size(self.max_size)
            .min_idle(Some(self.min_idle))
            .connection_timeout(self.connection_timeout)
            .test_on_check_out(false)
            .error_handler(Box::new(TracingErrorHandler { backend }))
    }
}

/// Reports failed connection attempts through `tracing` (r2d2's default uses the `log` crate,
/// which this workspace does not route anywhere). libpq's and SQLite's messages name the host or
/// file, never a password.
#[derive(Debug, Clone, Copy)]
struct TracingErrorHandler {
    backend: &'static str,
}

impl HandleError<diesel::r2d2::Error> for TracingErrorHandler {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(%error, backend = self.backend, "database connection attempt failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_r2d2_would_panic_on_is_refused() {
        let valid = PoolOptions {
            max_size: 2,
            min_idle: 1,
            connection_timeout: Duration::from_secs(1),
        };
        assert_eq!(valid.validate(), Ok(()));
        for invalid in [
            PoolOptions {
                max_size: 0,
                min_idle: 0,
                ..valid.clone()
            },
            PoolOptions {
                min_idle: 3,
                ..valid.clone()
            },
            PoolOptions {
                connection_timeout: Duration::ZERO,
                ..valid.clone()
            },
        ] {
            assert!(invalid.validate().is_err(), "{invalid:?}");
        }
    }
}
