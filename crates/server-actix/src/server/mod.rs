//! Building and running the HTTP server.

mod parse_errors;

pub use parse_errors::JsonParseErrors;

use std::net::TcpListener;
use std::time::Duration;

use actix_http::{HttpService, Protocol, error::DispatchError};
use actix_service::{ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use tokio::net::TcpStream;

use crate::metrics::{Metrics, RecordMetrics};
use crate::middleware::{
    CorsOrigins, ExchangeObserver, ObserverHandle, cors, observe, request_id, security_headers,
};
use crate::routes;
use crate::state::AppState;

#[derive(Clone)]
pub struct HttpSettings {
    /// How long in-flight requests may run after SIGTERM/SIGINT before the process exits.
    pub shutdown_timeout: Duration,
    /// Worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// Where requests are counted, when a metrics listener serves them; `None` counts nothing.
    pub metrics: Option<Metrics>,
    /// Sees every exchange as the client gets it (the API tests' spec check); `None` in a
    /// normal server.
    pub observer: Option<ExchangeObserver>,
    /// Browser origins allowed to read the API's responses (none by default).
    pub cors_origins: CorsOrigins,
}

impl std::fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSettings")
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("workers", &self.workers)
            .field("metrics", &self.metrics.is_some())
            .field("observer", &self.observer.is_some())
            .field("cors_origins", &self.cors_origins)
            .finish()
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            shutdown_timeout: Duration::from_secs(10),
            workers: None,
            metrics: None,
            observer: None,
            cors_origins: CorsOrigins::default(),
        }
    }
}

/// Binds the API to an already-bound listener (port 0 in tests) and returns the server future.
/// It stops gracefully on SIGINT/SIGTERM: no new connections, in-flight requests finish.
///
/// Built from actix-server and actix-http rather than `HttpServer` for one reason: each
/// connection's socket is wrapped in [`JsonParseErrors`], so that requests actix-http refuses
/// before the application runs still get the contract's JSON error body.
pub fn build_server(
    listener: TcpListener,
    state: AppState,
    settings: &HttpSettings,
) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let metrics = settings.metrics.clone();
    let observer = settings
        .observer
        .clone()
        .map(|o| web::Data::new(ObserverHandle(o)));
    let cors_origins = web::Data::new(settings.cors_origins.clone());
    let local = listener.local_addr()?;
    let app = move || {
        let mut app = App::new()
            .app_data(state.clone())
            .app_data(cors_origins.clone());
        if let Some(observer) = &observer {
            app = app.app_data(observer.clone());
        }
        app.configure(routes::configure)
            .default_service(web::to(routes::route_not_found))
            // Innermost first. Panics are caught per resource (see `routes`), inside these two,
            // so a panic's 500 still gets the headers and the log line.
            .wrap(from_fn(security_headers))
            // Outside the routes, so that a preflight never reaches the 405 of an OPTIONS.
            .wrap(from_fn(cors))
            .wrap(from_fn(request_id))
            // Outermost, so that it sees every answer as the client gets it.
            .wrap(RecordMetrics::new(metrics.clone()))
            .wrap(from_fn(observe))
    };
    let mut server = actix_server::Server::build()
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .listen("calls-api", listener, move || {
            let app = app();
            fn_service(|io: TcpStream| async move {
                let peer = io.peer_addr().ok();
                Ok::<_, DispatchError>((JsonParseErrors::new(io), Protocol::Http1, peer))
            })
            .and_then(
                HttpService::build()
                    .local_addr(local)
                    // As `HttpServer` does: a second for a client to read the last answer.
                    .client_disconnect_timeout(Duration::from_secs(1))
                    // Only URL generation (unused here) reads the configured host and address;
                    // `HttpServer`'s constructor for them is crate-private.
                    .finish(map_config(app, |()| AppConfig::default())),
            )
        })?;
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}
