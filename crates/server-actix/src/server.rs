//! Building and running the HTTP server.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::middleware::{request_id, security_headers};
use crate::routes;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// How long in-flight requests may run after SIGTERM/SIGINT before the process exits.
    pub shutdown_timeout: Duration,
    /// Worker threads; `None` means one per core.
    pub workers: Option<usize>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            shutdown_timeout: Duration::from_secs(10),
            workers: None,
        }
    }
}

/// Binds the API to an already-bound listener (port 0 in tests) and returns the server future.
/// It stops gracefully on SIGINT/SIGTERM: no new connections, in-flight requests finish.
pub fn build_server(
    listener: TcpListener,
    state: AppState,
    settings: &HttpSettings,
) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(routes::configure)
            .default_service(web::to(routes::route_not_found))
            // Innermost first. Panics are caught per resource (see `routes`), inside these two,
            // so a panic's 500 still gets the headers and the log line.
            .wrap(from_fn(security_headers))
            .wrap(from_fn(request_id))
    })
    .shutdown_timeout(settings.shutdown_timeout.as_secs())
    .listen(listener)?;
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}
