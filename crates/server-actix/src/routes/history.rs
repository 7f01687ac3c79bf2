//! `GET /api/calls/history`.

use actix_web::{HttpResponse, web};

use crate::dto::history::{HistoryParams, HistoryResponse};
use crate::error::ApiError;
use crate::extractors::{ApiQuery, Authenticated};
use crate::state::AppState;

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(token): Authenticated,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    let request = params.validate(token.user_id)?;
    let page = state.calls.history(request.query.clone()).await?;
    Ok(HttpResponse::Ok().json(HistoryResponse::new(&request, page)))
}
