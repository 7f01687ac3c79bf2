//! Managing one's own account and sessions: `POST /api/auth/logout-all`,
//! `POST /api/auth/password`, `DELETE /api/account`.

use actix_web::{HttpResponse, web};

use crate::dto::account::{ChangePasswordRequest, DeleteAccountRequest};
use crate::dto::auth::AuthResponse;
use crate::error::ApiError;
use crate::extractors::{ApiJson, ClientIp, LiveSession};
use crate::state::AppState;

pub async fn logout_all(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
) -> Result<HttpResponse, ApiError> {
    state.auth.logout_all(&token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Answers like a login: the fresh token is the only live session of the user afterwards.
pub async fn change_password(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let session = state
        .auth
        .change_password(&token, body.current_password, body.new_password, client)
        .await?;
    Ok(HttpResponse::Ok().json(AuthResponse::from(session)))
}

pub async fn delete(
    state: web::Data<AppState>,
    LiveSession(token): LiveSession,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<DeleteAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .account
        .delete_account(&token, body.password, client)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
