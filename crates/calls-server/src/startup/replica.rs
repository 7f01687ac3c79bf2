//! The read replica's settings (`database.replica_*`), checked at start, and attaching it to
//! the PostgreSQL storage.

use std::time::Duration;

use calls_adapters_postgres::{PoolOptions, PostgresStorage, ReplicaOptions};
use secrecy::{ExposeSecret, SecretString};

use crate::settings::{DatabaseSettings, SettingsError};

/// A replica to read history from: its URL (secret: it may hold a password) and how to use it.
pub struct ReplicaTarget {
    url: SecretString,
    options: ReplicaOptions,
}

impl std::fmt::Debug for ReplicaTarget {
    /// Never prints the URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaTarget")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl ReplicaTarget {
    /// `None` when `database.replica_url` is empty. Refuses, naming the setting, a URL that is
    /// not `postgres://` and values that are zero or inconsistent.
    pub fn from_settings(settings: &DatabaseSettings) -> Result<Option<Self>, SettingsError> {
        let url = settings.replica_url.expose_secret().trim();
        if url.is_empty() {
            return Ok(None);
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(SettingsError::invalid(
                "DATABASE_REPLICA_URL",
                "must be a postgres:// URL",
            ));
        }
        let positive = |name: &'static str, value: u64| {
            if value == 0 {
                Err(SettingsError::invalid(name, "must be positive"))
            } else {
                Ok(Duration::from_millis(value))
            }
        };
        let connection_timeout = positive(
            "database.replica_connect_timeout_ms",
            settings.replica_connect_timeout_ms,
        )?;
        let max_lag = positive("database.replica_max_lag_ms", settings.replica_max_lag_ms)?;
        let probe_interval = positive(
            "database.replica_probe_interval_ms",
            settings.replica_probe_interval_ms,
        )?;
        if settings.replica_max_connections == 0 {
            return Err(SettingsError::invalid(
                "database.replica_max_connections",
                "must be at least 1",
            ));
        }
        if settings.replica_min_idle > settings.replica_max_connections {
            return Err(SettingsError::invalid(
                "database.replica_min_idle",
                "must not exceed database.replica_max_connections",
            ));
        }
        Ok(Some(Self {
            url: SecretString::from(with_connect_timeout(url, connection_timeout)),
            options: ReplicaOptions {
                pool: PoolOptions {
                    max_size: settings.replica_max_connections,
                    min_idle: settings.replica_min_idle,
                    connection_timeout,
                },
                max_lag,
                probe_interval,
            },
        }))
    }

    /// `storage`, reading history from this replica. Opens no connection (a replica that is
    /// down at start does not stop the server); must run inside the tokio runtime.
    pub fn attach(self, storage: PostgresStorage) -> Result<PostgresStorage, String> {
        storage
            .with_read_replica(self.url.expose_secret(), self.options)
            .map_err(|error| error.to_string())
    }
}

/// `url` with libpq's `connect_timeout` (whole seconds, at least 2: libpq's minimum) added
/// when it has none. Without it, opening a connection to a replica host that stopped answering
/// (no refusal, no reply) blocks one of the pool's threads for the kernel's TCP timeout,
/// minutes, and the pool runs out of threads to open connections with once the replica is
/// back; the probe's and the reads' own wait is `database.replica_connect_timeout_ms`.
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    let query = url.split_once('?').map(|(_, query)| query);
    if query.is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair.starts_with("connect_timeout="))
    }) {
        return url.to_owned();
    }
    let seconds = timeout.as_millis().div_ceil(1000).max(2);
    let separator = if query.is_some() { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={seconds}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> DatabaseSettings {
        DatabaseSettings {
            url: SecretString::from("postgres://primary/calls".to_owned()),
            replica_url: SecretString::from(url.to_owned()),
            ..DatabaseSettings::defaults_for_tests()
        }
    }

    #[test]
    fn no_url_means_no_replica() {
        for url in ["", "   "] {
            assert!(
                ReplicaTarget::from_settings(&settings(url))
                    .expect("valid")
                    .is_none()
            );
        }
    }

    #[test]
    fn a_postgres_url_gives_the_replica_its_own_pool_settings() {
        let target = ReplicaTarget::from_settings(&settings("postgres://u:pw@replica:5432/calls"))
            .expect("valid")
            .expect("a replica");
        assert_eq!(target.options.pool.max_size, 10);
        assert_eq!(target.options.pool.min_idle, 2);
        assert_eq!(
            target.options.pool.connection_timeout,
            Duration::from_millis(500)
        );
        assert_eq!(target.options.max_lag, Duration::from_millis(1000));
        assert_eq!(target.options.probe_interval, Duration::from_millis(500));
        assert!(
            !format!("{target:?}").contains("pw"),
            "the URL is never printed"
        );
    }

    #[test]
    fn a_connect_timeout_is_added_unless_the_url_has_one() {
        let second = Duration::from_millis(500);
        assert_eq!(
            with_connect_timeout("postgres://replica/calls", second),
            "postgres://replica/calls?connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout(
                "postgres://replica/calls?sslmode=require",
                Duration::from_millis(3500)
            ),
            "postgres://replica/calls?sslmode=require&connect_timeout=4"
        );
        assert_eq!(
            with_connect_timeout("postgres://replica/calls?connect_timeout=9", second),
            "postgres://replica/calls?connect_timeout=9"
        );
    }

    #[test]
    fn bad_values_name_their_setting() {
        type Spoil = fn(&mut DatabaseSettings);
        let cases: [(&str, Spoil); 6] = [
            ("DATABASE_REPLICA_URL", |s| {
                s.replica_url = SecretString::from("mysql://replica/calls".to_owned());
            }),
            ("database.replica_connect_timeout_ms", |s| {
                s.replica_connect_timeout_ms = 0
            }),
            ("database.replica_max_lag_ms", |s| s.replica_max_lag_ms = 0),
            ("database.replica_probe_interval_ms", |s| {
                s.replica_probe_interval_ms = 0
            }),
            ("database.replica_max_connections", |s| {
                s.replica_max_connections = 0
            }),
            ("database.replica_min_idle", |s| s.replica_min_idle = 11),
        ];
        for (name, spoil) in cases {
            let mut spoilt = settings("postgres://replica/calls");
            spoil(&mut spoilt);
            let error = ReplicaTarget::from_settings(&spoilt).expect_err(name);
            assert!(error.to_string().contains(name), "{name}: {error}");
        }
    }
}
