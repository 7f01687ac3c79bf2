//! Gives every request an id (the caller's `X-Request-Id` if it is sane, else a new UUID),
//! runs the request inside a tracing span carrying it and the client's address (the one login
//! limits use: see [`crate::forwarding`]), logs the outcome, and echoes the id.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::forwarding::client_origin;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_sane(value))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let client = client_origin(req.request()).ip;
    let span = tracing::info_span!(
        "http_request",
        request_id = %id,
        client = %client,
        method = %req.method(),
        route = %route,
        user_id = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let _entered = span.enter();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            if status >= 500 {
                tracing::warn!(status, elapsed_ms, "request failed");
            } else {
                tracing::info!(status, elapsed_ms, "request handled");
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
            }
            Ok(response)
        }
        Err(err) => {
            tracing::warn!(error = %err, elapsed_ms, "request errored");
            Err(err)
        }
    }
}

/// Accepts ids that are safe to log and echo: short, visible ASCII without separators.
fn is_sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::is_sane;

    #[test]
    fn only_short_plain_ids_are_trusted() {
        assert!(is_sane("3f2c1a9e-0000-4000-8000-000000000000"));
        assert!(!is_sane(""));
        assert!(!is_sane(&"a".repeat(129)));
        assert!(!is_sane("id with spaces"));
        assert!(!is_sane("id\nforged-log-line"));
    }
}
