//! Prometheus metrics: the families ([`Metrics`], one registry per application, no global),
//! the middleware that counts API requests ([`RecordMetrics`]), and the separate listener that
//! serves them ([`build_metrics_server`]). Metric names are listed in `docs/OPERATIONS.md`.

mod classify;
mod families;
mod mail;
mod middleware;
mod replica;
mod scrape;
mod server;

pub use classify::{ProviderErrorKind, RATE_LIMIT_CODES};
pub use families::{LATENCY_BUCKETS, Metrics, UNMATCHED_ROUTE};
pub use middleware::RecordMetrics;
pub use scrape::{OPENMETRICS_CONTENT_TYPE, ScrapeSources};
pub use server::build_metrics_server;
