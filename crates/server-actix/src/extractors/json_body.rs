//! `ApiJson<T>`: a JSON body extractor with the contract's errors.
//!
//! actix's own `Json` reports a wrong type without saying which field; this one deserializes
//! through `serde_path_to_error`, so the 400 names the field (`duration: invalid type ...`).
//! Unknown fields are ignored, as the legacy backend did, so older and newer clients both work.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::body::{content_type_essence, declared_length, read_limited};
use crate::error::{ApiError, Message, messages as m};

#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json(req);
        let declared_length = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::unsupported_media_type());
            }
            let body = read_limited(payload, declared_length).await?;
            parse(&body).map(ApiJson)
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    content_type_essence(req).is_some_and(|essence| {
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // serde accepts a JSON array for a struct (fields by position); the contract's bodies are
    // objects, so anything else is refused before it can be misread.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::validation(m::BODY_NOT_OBJECT));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(describe)?;
    deserializer
        .end()
        .map_err(|_| ApiError::validation(m::JSON_TRAILING_DATA))?;
    Ok(value)
}

/// A message that names the offending field and says what was wrong, without echoing the value.
fn describe(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let reason = inner.to_string();
    // serde_json appends " at line L column C"; keep it for syntax errors only.
    let reason = match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            return ApiError::validation(Message::new(m::JSON_MALFORMED).arg("detail", reason));
        }
        _ => reason
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    };
    let whole_body = path == "." || path.is_empty();
    let missing = reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'));
    let message = match (missing, whole_body) {
        (Some(field), true) => Message::new(m::FIELD_MISSING).arg("field", field.to_owned()),
        (_, true) => Message::new(m::BODY_INVALID).arg("detail", reason),
        (_, false) => Message::new(m::FIELD_INVALID)
            .arg("field", path)
            .arg("detail", reason),
    };
    ApiError::validation(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[allow(dead_code)]
        duration: i64,
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = parse::<Body>(br#"{"duration": "ten"}"#).expect_err("wrong type");
        assert!(
            err.message().starts_with("duration: invalid type"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn missing_field_is_named() {
        let err = parse::<Body>(b"{}").expect_err("missing");
        assert!(
            err.message().contains("missing field `duration`"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn only_objects_are_bodies() {
        for body in [&b"[1]"[..], b"null", b"42", b"\"text\"", b"", b"  "] {
            let err = parse::<Body>(body).expect_err("not an object");
            assert_eq!(err.message(), "request body must be a JSON object");
        }
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        let err = parse::<Body>(b"{\"duration\": ").expect_err("truncated");
        assert!(
            err.message().starts_with("malformed JSON"),
            "{}",
            err.message()
        );
        let err = parse::<Body>(b"{\"duration\": 1} trailing").expect_err("trailing");
        assert!(
            err.message().starts_with("malformed JSON"),
            "{}",
            err.message()
        );
    }
}
