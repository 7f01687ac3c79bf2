//! Turns settings into a running application: opens storage (migrating it), builds the adapters
//! and use cases, starts the background jobs and the HTTP server.

mod error;
mod export;
mod jobs;
mod metrics;
mod password_reset;
mod pooled;
mod replica;
mod secrets;
mod storage;
mod throttle;
mod tls;
mod voice;
mod wiring;

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};

pub use error::StartupError;
pub use storage::{Storage, migrate_storage, open_storage};

use crate::settings::{DatabaseTarget, Settings};

/// A built, not yet running, application. Tests build one on port 0 and read the port.
pub struct Application {
    port: u16,
    server: Server,
    jobs: jobs::BackgroundJobs,
    /// The Prometheus listener, when `METRICS_ADDR` is set.
    metrics: Option<metrics::MetricsServer>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .field("metrics_port", &self.metrics_port())
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens and migrates the database, wires the adapters and binds the listener.
    pub async fn build(
        settings: Settings,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, StartupError> {
        Self::build_observed(settings, env, None).await
    }

    /// As [`Application::build`], with `observer` seeing every exchange (the API tests check
    /// each response against `openapi.yml` this way).
    pub async fn build_observed(
        settings: Settings,
        env: &dyn Fn(&str) -> Option<String>,
        observer: Option<calls_server_actix::middleware::ExchangeObserver>,
    ) -> Result<Self, StartupError> {
        let target = DatabaseTarget::resolve(&settings.database, env)?;
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|err| StartupError::Bind {
            address: address.clone(),
            reason: err.to_string(),
        })?;
        let port = listener
            .local_addr()
            .map_err(|err| StartupError::Bind {
                address,
                reason: err.to_string(),
            })?
            .port();
        let metrics_endpoint = metrics::MetricsEndpoint::bind(&settings.metrics)?;
        let tls = tls::load(&settings.server.tls)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        // Bound first: a busy port fails before the database is touched.
        tracing::info!(database = %target.describe(), "opening database");
        let storage = open_storage(target, &settings.database).await?;
        let mut wired = wiring::wire(&settings, &storage)?;
        wired.http.observer = observer;
        wired.http.tls = tls;
        wired.http.metrics = metrics_endpoint
            .as_ref()
            .map(metrics::MetricsEndpoint::metrics);
        let server = calls_server_actix::build_server(listener, wired.state, &wired.http).map_err(
            |err| StartupError::Bind {
                address: format!("port {port}"),
                reason: err.to_string(),
            },
        )?;
        let metrics = metrics_endpoint
            .map(|endpoint| endpoint.serve(&storage, wired.mailer.clone()))
            .transpose()?;
        let jobs =
            jobs::BackgroundJobs::start(&settings, wired.auth, wired.voice, wired.password_resets);
        tracing::info!(port, scheme, "listening");
        Ok(Self {
            port,
            server,
            jobs,
            metrics,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The metrics listener's port, when `METRICS_ADDR` is set (tests bind port 0).
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(metrics::MetricsServer::port)
    }

    /// Stops the server gracefully when called (tests use it; the process itself stops on
    /// SIGTERM/SIGINT).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (signal or handle), then stops the metrics listener and
    /// the background jobs.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(metrics::MetricsServer::spawn);
        let result = self.server.await;
        if let Some(metrics) = metrics {
            metrics.stop().await;
        }
        self.jobs.stop();
        result
    }
}

/// `calls-server serve`.
pub async fn serve(
    settings: Settings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), StartupError> {
    let application = Application::build(settings, env).await?;
    application
        .run_until_stopped()
        .await
        .map_err(|err| StartupError::Serve(err.to_string()))?;
    tracing::info!("stopped");
    Ok(())
}

/// `calls-server migrate`: opening the storage applies pending migrations.
pub async fn migrate_only(
    settings: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), StartupError> {
    let target = DatabaseTarget::resolve(&settings.database, env)?;
    tracing::info!(database = %target.describe(), "migrating");
    migrate_storage(target, &settings.database).await
}
