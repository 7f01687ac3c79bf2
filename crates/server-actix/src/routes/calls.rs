//! `POST /api/calls` and `PUT /api/calls/{id}`.

use actix_web::{HttpResponse, web};
use calls_core::domain::{CallId, CallStatus};

use crate::dto::calls::{
    CallCreatedResponse, CallUpdatedResponse, CreateCallRequest, UpdateCallRequest,
};
use crate::error::{ApiError, Message, messages as m};
use crate::extractors::{ApiJson, LiveSession};
use crate::state::AppState;

pub async fn create(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
    ApiJson(body): ApiJson<CreateCallRequest>,
) -> Result<HttpResponse, ApiError> {
    let call = state
        .calls
        .record(token.user_id, &body.phone_number)
        .await?;
    Ok(HttpResponse::Created().json(CallCreatedResponse::from(call)))
}

pub async fn update(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
    path: web::Path<String>,
    ApiJson(body): ApiJson<UpdateCallRequest>,
) -> Result<HttpResponse, ApiError> {
    let call_id = parse_call_id(&path)?;
    let status = body
        .status
        .parse::<CallStatus>()
        .map_err(ApiError::validation)?;
    let duration = body.duration.map(duration_seconds).transpose()?;
    let call = state
        .calls
        .update(token.user_id, call_id, status, duration)
        .await?;
    Ok(HttpResponse::Ok().json(CallUpdatedResponse::from(call)))
}

pub fn parse_call_id(raw: &str) -> Result<CallId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::validation(m::PATH_ID_NOT_UUID))
}

/// Whole seconds that fit the database's `integer` column.
fn duration_seconds(raw: i64) -> Result<u32, ApiError> {
    u32::try_from(raw)
        .ok()
        .filter(|seconds| i32::try_from(*seconds).is_ok())
        .ok_or_else(|| {
            ApiError::validation(
                Message::new(m::DURATION_OUT_OF_RANGE).arg("max", i32::MAX.unsigned_abs()),
            )
        })
}
