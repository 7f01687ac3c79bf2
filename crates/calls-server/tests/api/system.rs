//! Probes, unknown routes, wrong methods, request ids, and the JSON error rules.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, assert_error};
use crate::on_all_backends;

on_all_backends!(
    health_answers_ok,
    ready_answers_when_the_database_does,
    unknown_routes_are_json_404,
    wrong_methods_are_json_405_with_allow,
    request_ids_are_echoed_or_generated,
    malformed_json_is_a_json_400,
    wrong_content_type_is_415,
    oversized_bodies_are_413,
    security_headers_are_set,
);

async fn health_answers_ok(app: TestApp) {
    let response = app
        .client
        .get(app.url("/system/health"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

async fn ready_answers_when_the_database_does(app: TestApp) {
    let response = app
        .client
        .get(app.url("/system/ready"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
}

async fn unknown_routes_are_json_404(app: TestApp) {
    let response = app
        .client
        .get(app.url("/api/nope"))
        .send()
        .await
        .expect("sent");
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

async fn wrong_methods_are_json_405_with_allow(app: TestApp) {
    let response = app
        .client
        .delete(app.url("/api/auth/login"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    let response = app
        .client
        .post(app.url("/system/health"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET")
    );
    assert_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

async fn request_ids_are_echoed_or_generated(app: TestApp) {
    let response = app
        .client
        .get(app.url("/system/health"))
        .header("x-request-id", "trace-123")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-123")
    );
    let response = app
        .client
        .get(app.url("/system/health"))
        .send()
        .await
        .expect("sent");
    let generated = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("generated id");
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
    // An id that could forge log lines is replaced, not echoed.
    let response = app
        .client
        .get(app.url("/system/health"))
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .expect("sent");
    assert_ne!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("bad id with spaces")
    );
}

async fn malformed_json_is_a_json_400(app: TestApp) {
    let response = app
        .client
        .post(app.url("/api/auth/register"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("sent");
    let body = assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("malformed JSON")),
        "{body}"
    );
}

async fn wrong_content_type_is_415(app: TestApp) {
    let response = app
        .client
        .post(app.url("/api/auth/register"))
        .header("content-type", "text/plain")
        .body(r#"{"email":"a@example.com","password":"long enough password"}"#)
        .send()
        .await
        .expect("sent");
    assert_error(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let response = app
        .client
        .post(app.url("/api/auth/register"))
        .body(r#"{"email":"a@example.com","password":"long enough password"}"#)
        .send()
        .await
        .expect("sent");
    assert_error(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

async fn oversized_bodies_are_413(app: TestApp) {
    let big = format!(
        r#"{{"email":"a@example.com","password":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    let response = app
        .client
        .post(app.url("/api/auth/register"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("sent");
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

async fn security_headers_are_set(app: TestApp) {
    let response = app
        .client
        .get(app.url("/api/calls/history"))
        .send()
        .await
        .expect("sent");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        header("content-security-policy").as_deref(),
        Some("frame-ancestors 'none'")
    );
}
