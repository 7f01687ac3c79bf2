//! Picks the login throttle from the database: shared in PostgreSQL, in process memory on
//! SQLite.

use std::sync::Arc;
use std::time::Duration;

use calls_adapters_postgres::PostgresLoginThrottle;
use calls_adapters_throttle::{InMemoryLoginThrottle, ThrottleConfig};
use calls_core::ports::{LoginThrottle, ThrottleLimits};

use super::storage::Storage;
use crate::settings::ThrottleSettings;

/// On PostgreSQL, which several instances may share, the failures are counted in the database,
/// so the limits hold for the whole deployment and survive restarts. On SQLite (one instance by
/// design) they are counted in memory: exact for one process, and no disk write per login.
pub fn login_throttle(settings: &ThrottleSettings, storage: &Storage) -> Arc<dyn LoginThrottle> {
    let limits = ThrottleLimits {
        max_failures_per_account: settings.account_max_failures,
        max_failures_per_client: settings.address_max_failures,
        window: Duration::from_secs(settings.window_secs),
    };
    match &storage.postgres {
        Some(postgres) => {
            tracing::info!("login throttle: shared by every instance, in PostgreSQL");
            Arc::new(PostgresLoginThrottle::new(postgres, limits))
        }
        None => {
            tracing::info!("login throttle: in process memory (single instance)");
            Arc::new(InMemoryLoginThrottle::new(ThrottleConfig {
                limits,
                ..ThrottleConfig::default()
            }))
        }
    }
}
