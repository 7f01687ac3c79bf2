//! `GET /api/calls/history`.

use actix_web::{HttpResponse, web};
use calls_core::ports::SessionHistory;

use crate::dto::history::{HistoryParams, HistoryResponse};
use crate::error::ApiError;
use crate::extractors::{ApiQuery, SignatureVerifiedOnly};
use crate::state::AppState;

/// The token's revocation is checked by the history read itself, in the same snapshot as the
/// page (one round trip less per request: docs/BENCHMARKS.md). A logged-out token is still 401
/// before anything else, as on every protected route: invalid parameters are reported only once
/// the token is known not to be revoked.
pub async fn list(
    state: web::Data<AppState>,
    SignatureVerifiedOnly(token): SignatureVerifiedOnly,
    params: Result<ApiQuery<HistoryParams>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let validated = params.and_then(|ApiQuery(params)| params.validate(token.user_id()));
    let request = match validated {
        Ok(request) => request,
        Err(invalid) => {
            state.auth.ensure_not_revoked(&token).await?;
            return Err(invalid);
        }
    };
    let page = match state
        .calls
        .history_for_session(&token, request.query.clone())
        .await?
    {
        SessionHistory::Page(page) => page,
        SessionHistory::SessionEnded => return Err(ApiError::unauthorized()),
    };
    Ok(HttpResponse::Ok().json(HistoryResponse::new(&request, page)))
}
