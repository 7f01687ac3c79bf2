//! What a test checks, for the answers every route can give: the contract's error body, a
//! validation error that names the field, a 405 with its `Allow` header.
//!
//! Each check takes the name of the case it checks (the request, or the row of a table), and
//! every assertion message starts with it, so that a failing row of a table-driven test says
//! which row it is.

use std::collections::BTreeSet;

use reqwest::{Response, StatusCode};
use serde_json::Value;

/// The case a response answers when the test names none: its path and query.
fn request_of(response: &Response) -> String {
    let url = response.url();
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Asserts the contract's error body (`status`, JSON, exactly `error` = `code` and a
/// non-empty `message`) and returns it.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> Value {
    let case = request_of(&response);
    assert_case_error(&case, response, status, code).await
}

/// [`assert_error`] for the row `case` of a table.
pub async fn assert_case_error(
    case: &str,
    response: Response,
    status: StatusCode,
    code: &str,
) -> Value {
    assert_eq!(response.status(), status, "{case}: status");
    assert_content_type(case, &response, "application/json");
    let body: Value = response.json().await.expect("json error body");
    assert_eq!(body["error"], code, "{case}: error code in {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{case}: message in {body}"
    );
    assert_eq!(
        body.as_object().map(|o| o.len()),
        Some(2),
        "{case}: exactly error and message: {body}"
    );
    body
}

/// A 400 `validation_error` whose message contains `names` (the field it refuses); returns
/// the body.
pub async fn assert_invalid(case: &str, response: Response, names: &str) -> Value {
    let body = assert_case_error(case, response, StatusCode::BAD_REQUEST, "validation_error").await;
    assert!(
        message_of(&body).contains(names),
        "{case}: the message should name {names}: {body}"
    );
    body
}

/// A 405 `method_not_allowed` whose `Allow` header is exactly `allow`.
pub async fn assert_method_not_allowed(response: Response, allow: &str) {
    let case = request_of(&response);
    assert_eq!(header(&response, "allow"), Some(allow), "{case}: Allow");
    assert_case_error(
        &case,
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

/// The response's `Content-Type` starts with `media_type` (parameters such as `charset` may
/// follow).
pub fn assert_content_type(case: &str, response: &Response, media_type: &str) {
    let content_type = header(response, "content-type").unwrap_or_default();
    assert!(
        content_type.starts_with(media_type),
        "{case}: content type {content_type:?}, not {media_type}"
    );
}

/// The error body's message (empty when there is none, which [`assert_case_error`] refuses).
pub fn message_of(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_default()
}

/// A response header as text, when present and readable.
pub fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The keys of a JSON object, to compare a body's shape with the contract's.
pub fn keys(body: &Value) -> BTreeSet<&str> {
    body.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}
