//! The metrics listener: a small HTTP server of its own, on `METRICS_ADDR`, serving only
//! `GET /metrics`, so that metrics are never reachable through the public API's port.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};

use super::families::Metrics;
use super::scrape::{ScrapeSources, scrape};
use crate::error::ApiError;

/// Serves `GET /metrics` on an already-bound listener (port 0 in tests). One worker is plenty
/// for a scraper. It does not listen for signals: whoever starts it stops it through its handle,
/// after the API server has stopped.
pub fn build_metrics_server(
    listener: TcpListener,
    metrics: Metrics,
    sources: ScrapeSources,
    shutdown_timeout: Duration,
) -> std::io::Result<Server> {
    let metrics = web::Data::new(metrics);
    let sources = web::Data::new(sources);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .app_data(sources.clone())
            .service(
                web::resource("/metrics")
                    .route(web::get().to(scrape))
                    .default_service(web::to(|| async {
                        Err::<(), _>(ApiError::method_not_allowed("GET"))
                    })),
            )
            .default_service(web::to(|| async {
                Err::<(), _>(ApiError::route_not_found())
            }))
    })
    .workers(1)
    .max_connections(64)
    .disable_signals()
    .shutdown_timeout(shutdown_timeout.as_secs())
    .listen(listener)?;
    Ok(server.run())
}
