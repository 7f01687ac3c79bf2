//! The `/metrics` handler: refreshes the values read at scrape time (pool state, calls by
//! status), then encodes every family.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use calls_core::ports::{CallStatistics, DatabaseHealth, Mailer};

use super::families::Metrics;
use crate::error::ApiError;

/// The OpenMetrics text format, which Prometheus negotiates and parses natively.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Where the scrape-time gauges come from: the storage's ports.
#[derive(Clone)]
pub struct ScrapeSources {
    pub database: Arc<dyn DatabaseHealth>,
    pub calls: Arc<dyn CallStatistics>,
    /// The mailer, when a mail server is configured.
    pub mail: Option<Arc<dyn Mailer>>,
}

pub async fn scrape(
    metrics: web::Data<Metrics>,
    sources: web::Data<ScrapeSources>,
) -> Result<HttpResponse, ApiError> {
    refresh(&metrics, &sources).await;
    let text = metrics.encode().map_err(|_| {
        tracing::error!("encoding the metrics failed");
        ApiError::internal()
    })?;
    Ok(HttpResponse::Ok()
        .content_type(OPENMETRICS_CONTENT_TYPE)
        .body(text))
}

/// The pool (and the read replica's report, no query either) is read first, so that the count's own connection is not reported as in use. A
/// failed count (database down) removes the per-status gauges for this scrape instead of
/// failing it: the pool gauges and the counters are still worth having then.
async fn refresh(metrics: &Metrics, sources: &ScrapeSources) {
    metrics.set_pool_state(sources.database.pool_state());
    if let Some(replica) = sources.database.replica() {
        metrics.set_replica(&replica);
    }
    if let Some(mail) = &sources.mail {
        metrics.set_mail(&mail.report());
    }
    match sources.calls.count_by_status().await {
        Ok(counts) => metrics.set_calls_by_status(Some(&counts)),
        Err(error) => {
            tracing::warn!(%error, "counting calls by status for /metrics failed");
            metrics.set_calls_by_status(None);
        }
    }
}
