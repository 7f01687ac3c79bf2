//! Probes, unknown routes, wrong methods, request ids, and the JSON error rules.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assertions::{
    assert_case_error, assert_error, assert_invalid, assert_method_not_allowed, header,
};
use crate::helpers::TestApp;
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

/// A registration body that would be valid as JSON.
const REGISTRATION: &str = r#"{"email":"a@example.com","password":"long enough password"}"#;

async fn health_answers_ok(app: TestApp) {
    let response = app.get("/system/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({ "status": "ok" }));
}

async fn ready_answers_when_the_database_does(app: TestApp) {
    assert_eq!(app.get("/system/ready").await.status(), StatusCode::OK);
}

async fn unknown_routes_are_json_404(app: TestApp) {
    let response = app.get("/api/nope").await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

async fn wrong_methods_are_json_405_with_allow(app: TestApp) {
    for (method, path, allow) in [
        (Method::DELETE, "/api/auth/login", "POST"),
        (Method::POST, "/system/health", "GET"),
    ] {
        assert_method_not_allowed(app.call(method, path).await, allow).await;
    }
}

async fn health_with_request_id(app: &TestApp, id: &str) -> reqwest::Response {
    app.call_with_headers(Method::GET, "/system/health", &[("x-request-id", id)])
        .await
}

async fn request_ids_are_echoed_or_generated(app: TestApp) {
    let echoed = health_with_request_id(&app, "trace-123").await;
    assert_eq!(header(&echoed, "x-request-id"), Some("trace-123"));
    let generated = app.get("/system/health").await;
    let generated = header(&generated, "x-request-id").expect("generated id");
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
    // An id that could forge log lines is replaced, not echoed.
    let replaced = health_with_request_id(&app, "bad id with spaces").await;
    assert_ne!(
        header(&replaced, "x-request-id"),
        Some("bad id with spaces")
    );
}

async fn malformed_json_is_a_json_400(app: TestApp) {
    let response = app
        .post_raw(
            "/api/auth/register",
            None,
            Some("application/json"),
            "{\"email\": ",
        )
        .await;
    assert_invalid("a cut-off body", response, "malformed JSON").await;
}

async fn wrong_content_type_is_415(app: TestApp) {
    for content_type in [Some("text/plain"), None] {
        let response = app
            .post_raw("/api/auth/register", None, content_type, REGISTRATION)
            .await;
        assert_case_error(
            &format!("Content-Type {content_type:?}"),
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
    }
}

async fn oversized_bodies_are_413(app: TestApp) {
    let big = format!(
        r#"{{"email":"a@example.com","password":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    let response = app
        .post_raw("/api/auth/register", None, Some("application/json"), big)
        .await;
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

async fn security_headers_are_set(app: TestApp) {
    let response = app.get("/api/calls/history").await;
    for (name, expected) in [
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
        ("content-security-policy", "frame-ancestors 'none'"),
    ] {
        assert_eq!(header(&response, name), Some(expected), "{name}");
    }
}
