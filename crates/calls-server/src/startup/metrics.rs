//! The Prometheus listener on `METRICS_ADDR`: bound at start, before the database is touched
//! (like the API port), served by a small server of its own, never by the API's, and stopped
//! after the API server stops.

use std::net::{TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use calls_core::ports::Mailer;
use calls_server_actix::metrics::{Metrics, ScrapeSources, build_metrics_server};
use tokio::task::JoinHandle;

use super::StartupError;
use super::storage::Storage;
use crate::settings::{MetricsSettings, SettingsError};

/// How long a scrape in flight may finish once the API has stopped.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// The bound, not yet serving, listener and the registry the API will count into.
pub struct MetricsEndpoint {
    listener: TcpListener,
    port: u16,
    metrics: Metrics,
}

impl MetricsEndpoint {
    /// Binds `METRICS_ADDR`; `None` when it is empty (no metrics, nothing counted).
    pub fn bind(settings: &MetricsSettings) -> Result<Option<Self>, StartupError> {
        let address = settings.addr.trim();
        if address.is_empty() {
            return Ok(None);
        }
        let resolved = address
            .to_socket_addrs()
            .map_err(|err| {
                SettingsError::invalid("METRICS_ADDR", format!("must be host:port: {err}"))
            })?
            .collect::<Vec<_>>();
        let bind_error = |err: std::io::Error| StartupError::Bind {
            address: format!("{address} (METRICS_ADDR)"),
            reason: err.to_string(),
        };
        let listener = TcpListener::bind(resolved.as_slice()).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        Ok(Some(Self {
            listener,
            port,
            metrics: Metrics::new(),
        }))
    }

    /// The registry the API's middleware counts into.
    pub fn metrics(&self) -> Metrics {
        self.metrics.clone()
    }

    /// Builds the server; it serves once [`MetricsServer::spawn`] runs it.
    pub fn serve(
        self,
        storage: &Storage,
        mail: Option<Arc<dyn Mailer>>,
    ) -> Result<MetricsServer, StartupError> {
        let sources = ScrapeSources {
            database: Arc::clone(&storage.health),
            calls: Arc::clone(&storage.statistics),
            mail,
        };
        let server = build_metrics_server(self.listener, self.metrics, sources, SHUTDOWN_TIMEOUT)
            .map_err(|err| StartupError::Bind {
            address: format!("port {} (METRICS_ADDR)", self.port),
            reason: err.to_string(),
        })?;
        tracing::info!(port = self.port, "metrics listening");
        Ok(MetricsServer {
            port: self.port,
            server,
        })
    }
}

/// The metrics server, built and not yet running.
pub struct MetricsServer {
    port: u16,
    server: Server,
}

impl MetricsServer {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs it in the background until [`RunningMetrics::stop`].
    pub fn spawn(self) -> RunningMetrics {
        let handle = self.server.handle();
        let task = tokio::spawn(self.server);
        RunningMetrics { handle, task }
    }
}

pub struct RunningMetrics {
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningMetrics {
    /// Stops accepting scrapes, lets one in flight finish, and waits for the server to end.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(error = %err, "the metrics server failed"),
            Err(err) => tracing::warn!(error = %err, "the metrics server task failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::MetricsEndpoint;
    use crate::settings::MetricsSettings;

    fn settings(addr: &str) -> MetricsSettings {
        MetricsSettings {
            addr: addr.to_owned(),
        }
    }

    #[test]
    fn an_empty_address_starts_no_listener() {
        for addr in ["", "  "] {
            let endpoint = MetricsEndpoint::bind(&settings(addr)).expect("no error");
            assert!(endpoint.is_none(), "{addr:?}");
        }
    }

    #[test]
    fn port_zero_binds_a_free_port() {
        let endpoint = MetricsEndpoint::bind(&settings("127.0.0.1:0"))
            .expect("binds")
            .expect("a listener");
        assert_ne!(endpoint.port, 0);
    }

    #[test]
    fn a_bad_or_busy_address_names_the_setting() {
        let taken = TcpListener::bind("127.0.0.1:0").expect("a port");
        let busy = taken.local_addr().expect("address").to_string();
        for addr in ["localhost", "127.0.0.1:http", busy.as_str()] {
            let error = MetricsEndpoint::bind(&settings(addr))
                .err()
                .unwrap_or_else(|| panic!("{addr} is refused"));
            assert!(
                error.to_string().contains("METRICS_ADDR"),
                "{addr}: {error}"
            );
        }
    }
}
