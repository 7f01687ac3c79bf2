//! The bearer token of a protected route, in two strengths:
//!
//! * [`LiveSession`]: signature, claims and validity period verified, and not logged out. What
//!   every protected route takes unless it has a reason not to.
//! * [`SignatureVerifiedOnly`]: signature, claims and validity period verified, but whether it
//!   was logged out is NOT yet known. Only for a route whose one storage operation checks the
//!   logout itself in the same round trip (the history read, the hot path); the name says what
//!   is missing so that nobody takes it by mistake.
//!
//! Every failure is the same 401 `unauthorized`, so a client learns nothing about why a token
//! was refused.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use calls_core::ports::VerifiedToken;
use calls_core::services::SignedToken;

use crate::error::ApiError;
use crate::state::AppState;

/// Longer `Authorization` headers are refused without parsing them.
const MAX_TOKEN_BYTES: usize = 4 * 1024;

/// A token that is valid now and was not logged out.
#[derive(Debug, Clone)]
pub struct LiveSession(pub VerifiedToken);

impl FromRequest for LiveSession {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req).map(str::to_owned);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let state = state.ok_or_else(ApiError::internal)?;
            let verified = state.auth.authenticate(&token).await?;
            tracing::Span::current().record("user_id", tracing::field::display(verified.user_id));
            Ok(LiveSession(verified))
        })
    }
}

/// A bearer token whose signature, claims and validity period are verified, but not yet whether
/// it was logged out: the handler must pass it to an operation that checks that
/// (`CallService::history_for_session`) or to `AuthService::ensure_not_revoked`.
#[derive(Debug, Clone)]
pub struct SignatureVerifiedOnly(pub SignedToken);

impl FromRequest for SignatureVerifiedOnly {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(signed_in(req))
    }
}

fn signed_in(req: &HttpRequest) -> Result<SignatureVerifiedOnly, ApiError> {
    let token = bearer_token(req).ok_or_else(ApiError::unauthorized)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?;
    let signed = state.auth.verify_signature(token)?;
    tracing::Span::current().record("user_id", tracing::field::display(signed.user_id()));
    Ok(SignatureVerifiedOnly(signed))
}

fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    if value.len() > MAX_TOKEN_BYTES {
        return None;
    }
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
