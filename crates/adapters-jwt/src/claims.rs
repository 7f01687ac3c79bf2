//! The JSON claims of our tokens, as written and as read back.

use serde::{Deserialize, Serialize};

/// What we sign: the Go backend's claim set plus `jti`, so each token can be revoked by id.
#[derive(Serialize)]
pub(crate) struct IssuedClaims<'a> {
    pub user_id: String,
    pub email: &'a str,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
}

/// What a presented token may contain. Everything is optional here so that each missing claim
/// gets its own refusal reason; numeric dates stay raw because RFC 7519 allows fractions.
#[derive(Deserialize)]
pub(crate) struct PresentedClaims {
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub exp: Option<serde_json::Number>,
    pub iat: Option<serde_json::Number>,
    pub nbf: Option<serde_json::Number>,
    pub jti: Option<String>,
}
