//! `POST /api/calls/initiate` and `POST /api/calls/terminate`: real calls through the voice
//! provider, and `POST /api/voice/token` for the provider's browser SDK.

use actix_web::{HttpResponse, web};

use super::calls::parse_call_id;
use crate::dto::voice::{
    InitiateCallRequest, InitiateCallResponse, TerminateCallRequest, TerminateCallResponse,
    VoiceTokenResponse,
};
use crate::error::{ApiError, Message, messages as m};
use crate::extractors::{ApiJson, LiveSession};
use crate::state::AppState;

pub async fn initiate(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
    ApiJson(body): ApiJson<InitiateCallRequest>,
) -> Result<HttpResponse, ApiError> {
    let started = state
        .voice
        .initiate(token.user_id, &body.phone_number)
        .await?;
    Ok(HttpResponse::Ok().json(InitiateCallResponse::from(started)))
}

pub async fn terminate(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
    ApiJson(body): ApiJson<TerminateCallRequest>,
) -> Result<HttpResponse, ApiError> {
    let call_id = parse_call_id(&body.call_id).map_err(|_| {
        ApiError::validation(Message::new(m::FIELD_NOT_UUID).arg("field", "call_id"))
    })?;
    let call = state.voice.terminate(token.user_id, call_id).await?;
    Ok(HttpResponse::Ok().json(TerminateCallResponse::from(call)))
}

pub async fn token(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
) -> Result<HttpResponse, ApiError> {
    let issued = state
        .voice
        .browser_token(token.user_id)
        .ok_or_else(ApiError::voice_not_configured)?;
    Ok(HttpResponse::Ok().json(VoiceTokenResponse::from(issued)))
}
