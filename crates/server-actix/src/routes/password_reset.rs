//! A forgotten password: `POST /api/auth/password-reset` mails a single-use link,
//! `POST /api/auth/password-reset/confirm` sets the new password with the link's token.
//!
//! Without a mail server (`SMTP_URL` empty) both answer 503 `mail_not_configured`, before the
//! body is read: the feature is off, whatever was sent.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use calls_core::services::PasswordResetService;

use crate::dto::auth::AuthResponse;
use crate::dto::password_reset::{ResetAccepted, ResetConfirmation, ResetRequest};
use crate::error::{ApiError, messages as m};
use crate::extractors::{ApiJson, ClientIp};
use crate::i18n::{Language, PASSWORD_RESET_ACCEPTED, render};
use crate::state::AppState;

fn configured(state: &AppState) -> Result<&PasswordResetService, ApiError> {
    state
        .password_resets
        .as_ref()
        .ok_or_else(|| ApiError::with(m::MAIL_NOT_CONFIGURED))
}

/// 202 whether or not the address has an account; the e-mail goes out in the request's
/// language.
pub async fn request(
    state: web::Data<AppState>,
    language: Language,
    ClientIp(client): ClientIp,
    body: Result<ApiJson<ResetRequest>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let resets = configured(&state)?;
    let ApiJson(body) = body?;
    resets.request(&body.email, language.into(), client).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::CONTENT_LANGUAGE, language.tag()))
        .json(ResetAccepted {
            message: render(language, PASSWORD_RESET_ACCEPTED, &[]),
        }))
}

/// Answers like a login: the fresh token is the only live session of the user afterwards.
pub async fn confirm(
    state: web::Data<AppState>,
    body: Result<ApiJson<ResetConfirmation>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let resets = configured(&state)?;
    let ApiJson(body) = body?;
    let session = resets.confirm(&body.token, body.new_password).await?;
    Ok(HttpResponse::Ok().json(AuthResponse::from(session)))
}
