//! `Authenticated`: the verified bearer token of a protected route; `SignedIn`: its signature
//! and claims verified, the revocation check left to the one storage operation the route makes
//! (the history read, the hot path). Every failure is the same 401 `unauthorized`, so a client
//! learns nothing about why a token was refused.

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

#[derive(Debug, Clone)]
pub struct Authenticated(pub VerifiedToken);

impl FromRequest for Authenticated {
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
            Ok(Authenticated(verified))
        })
    }
}

/// A bearer token whose signature, claims and validity period are verified, but not yet whether
/// it was logged out: the handler must pass it to an operation that checks that
/// (`CallService::history_for`) or to `AuthService::ensure_not_revoked`.
#[derive(Debug, Clone)]
pub struct SignedIn(pub SignedToken);

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(signed_in(req))
    }
}

fn signed_in(req: &HttpRequest) -> Result<SignedIn, ApiError> {
    let token = bearer_token(req).ok_or_else(ApiError::unauthorized)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?;
    let signed = state.auth.verify_signature(token)?;
    tracing::Span::current().record("user_id", tracing::field::display(signed.user_id()));
    Ok(SignedIn(signed))
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
