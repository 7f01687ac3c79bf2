//! Liveness and readiness probes.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// How long readiness waits for the database before calling it down.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up. Touches nothing else, so a database outage does not get the process
/// restarted by an orchestrator. With a read replica, its state as last measured in the
/// background is added (`replica`): a replica that is down leaves the process healthy, since
/// history is then read from the primary.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let mut body = json!({ "status": "ok" });
    if let Some(replica) = state.database.replica() {
        let millis = |lag: Duration| u64::try_from(lag.as_millis()).unwrap_or(u64::MAX);
        body["replica"] = json!({
            "status": replica.condition.as_str(),
            "lag_ms": replica.lag.map(millis),
            "max_lag_ms": millis(replica.max_lag),
        });
    }
    HttpResponse::Ok().json(body)
}

/// The process can serve: the database answers.
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match tokio::time::timeout(READY_TIMEOUT, state.database.ping()).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(json!({ "status": "ready" }))),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            Err(ApiError::database_unavailable())
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            Err(ApiError::database_unavailable())
        }
    }
}
