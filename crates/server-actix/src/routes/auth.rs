//! `/api/auth/*`.

use actix_web::{HttpResponse, web};

use crate::dto::auth::{AuthResponse, Credentials};
use crate::error::ApiError;
use crate::extractors::{ApiJson, ClientIp, LiveSession};
use crate::state::AppState;

pub async fn register(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let session = state.auth.register(&body.email, body.password).await?;
    Ok(HttpResponse::Created().json(AuthResponse::from(session)))
}

pub async fn login(
    state: web::Data<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let session = state.auth.login(&body.email, body.password, client).await?;
    Ok(HttpResponse::Ok().json(AuthResponse::from(session)))
}

pub async fn logout(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
) -> Result<HttpResponse, ApiError> {
    state.auth.logout(&token).await?;
    Ok(HttpResponse::NoContent().finish())
}
