//! Headers every response carries. API responses are per-user and must never be cached by a
//! shared cache or the browser (`no-store`), unless the handler set its own `Cache-Control`
//! (only the public, per-deployment `GET /api/countries` does); the API is never to be framed. Responses served
//! over HTTPS (the server's own TLS, or a trusted proxy's `X-Forwarded-Proto: https`) tell the
//! browser to keep using HTTPS for a year (`Strict-Transport-Security`); plain-HTTP ones do
//! not, as RFC 6797 requires (an attacker on the path could strip it anyway).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

use crate::forwarding::client_origin;

/// One year, without `includeSubDomains` or `preload`: other hosts of the operator's domain
/// may not serve HTTPS, and preloading is the operator's decision.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_api = req.path().starts_with("/api/");
    let https = client_origin(req.request()).https;
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    if is_api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
