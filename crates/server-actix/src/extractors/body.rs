//! Reading a request body the same way for every body extractor: bounded, with the contract's
//! 413, and without trusting the declared length.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures::StreamExt;

use crate::error::{ApiError, messages as m};

/// Larger bodies are refused with 413 before they are read to the end.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The `Content-Length` the client declared, if it is a number.
pub(super) fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok())
}

/// The media type without parameters, lowercase (`application/json`).
pub(super) fn content_type_essence(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Reads at most [`MAX_BODY_BYTES`]: a larger declared length is refused before reading, and a
/// body that grows past the limit (chunked, or lying about its length) as soon as it does.
pub(super) async fn read_limited(
    mut payload: Payload,
    declared_length: Option<usize>,
) -> Result<web::BytesMut, ApiError> {
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::validation(m::BODY_UNREADABLE))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
