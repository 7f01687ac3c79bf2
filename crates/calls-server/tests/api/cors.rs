//! CORS: only the configured origins, never `*`, no credentials mode; none by default.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::assertions::header;
use crate::fixtures::NUMBER;
use crate::helpers::TestApp;
use crate::on_all_backends;

on_all_backends!(
    no_origin_is_allowed_by_default,
    only_listed_origins_are_allowed
);

const APP_ORIGIN: &str = "https://app.example.com";

/// A browser's preflight for a `POST /api/calls` from `origin`.
async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    let headers = [
        ("Origin", origin),
        ("Access-Control-Request-Method", "POST"),
        (
            "Access-Control-Request-Headers",
            "authorization, content-type",
        ),
    ];
    app.call_with_headers(Method::OPTIONS, "/api/calls", &headers)
        .await
}

/// A simple (not preflighted) request from `origin`.
async fn health_from(app: &TestApp, origin: &str) -> reqwest::Response {
    app.call_with_headers(Method::GET, "/system/health", &[("Origin", origin)])
        .await
}

async fn no_origin_is_allowed_by_default(app: TestApp) {
    let response = preflight(&app, APP_ORIGIN).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&response, "access-control-allow-origin"), None);

    let response = health_from(&app, APP_ORIGIN).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    assert_eq!(header(&response, "access-control-allow-credentials"), None);
}

async fn only_listed_origins_are_allowed(app: TestApp) {
    let app = app
        .another_instance_with(|settings| {
            settings.cors.allowed_origins = vec![APP_ORIGIN.to_owned()];
        })
        .await;

    let response = preflight(&app, APP_ORIGIN).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert_eq!(
        header(&response, "access-control-allow-methods"),
        Some("GET, POST, PUT")
    );
    let allowed_headers = header(&response, "access-control-allow-headers").unwrap_or_default();
    assert!(allowed_headers.contains("Authorization") && allowed_headers.contains("Content-Type"));
    assert_eq!(header(&response, "access-control-allow-credentials"), None);

    let user = app.new_user().await;
    let request = app
        .request(Method::POST, "/api/calls")
        .header("Origin", APP_ORIGIN)
        .bearer_auth(&user.token)
        .json(&json!({ "phone_number": NUMBER }));
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert!(
        header(&response, "access-control-expose-headers")
            .is_some_and(|h| h.contains("X-Request-Id"))
    );
    assert!(
        response
            .headers()
            .get_all("vary")
            .iter()
            .any(|v| v == "Origin")
    );

    for stranger in [
        "https://evil.example.com",
        "https://app.example.com.evil.test",
        "null",
    ] {
        let response = preflight(&app, stranger).await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{stranger}"
        );
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            None,
            "{stranger}"
        );
        let response = health_from(&app, stranger).await;
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            None,
            "{stranger}"
        );
    }
    // Never the wildcard, whoever asks.
    let response = preflight(&app, "*").await;
    assert_ne!(header(&response, "access-control-allow-origin"), Some("*"));
}
