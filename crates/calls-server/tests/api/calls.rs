//! `POST /api/calls`: the created body, phone number validation, bad bodies and
//! authentication; refused requests write nothing.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::history_support::{all_calls, history_total, item};
use crate::on_all_backends;

on_all_backends!(
    create_answers_the_exact_contract_body,
    create_normalizes_the_number_to_e164,
    invalid_numbers_are_400_and_write_nothing,
    bad_create_bodies_name_the_field_and_write_nothing,
    array_bodies_are_refused_and_write_nothing,
    calls_routes_require_a_token,
);

fn keys(body: &Value) -> BTreeSet<&str> {
    body.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// Creates a call through the API and returns its id.
pub async fn create_call(app: &TestApp, token: &str, number: &str) -> String {
    let response = app
        .post_json_authed("/api/calls", token, &json!({ "phone_number": number }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "create {number}");
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

pub async fn put_call(app: &TestApp, token: &str, id: &str, body: &Value) -> reqwest::Response {
    app.put_json_authed(&format!("/api/calls/{id}"), token, body)
        .await
}

async fn create_answers_the_exact_contract_body(app: TestApp) {
    let user = app.new_user().await;
    let before = Utc::now();
    let response = app
        .post_json_authed(
            "/api/calls",
            &user.token,
            &json!({ "phone_number": "+4930901820" }),
        )
        .await;
    let after = Utc::now();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        keys(&body),
        BTreeSet::from(["duration", "id", "phone_number", "start_time", "status"]),
        "{body}"
    );
    let id = body["id"].as_str().expect("id string");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_eq!(body["phone_number"], "+4930901820");
    assert_eq!(body["duration"], json!(0));
    assert_eq!(body["status"], "initiated");
    let start_text = body["start_time"].as_str().expect("start_time string");
    assert!(start_text.ends_with('Z'), "UTC with Z: {start_text}");
    let start = DateTime::parse_from_rfc3339(start_text)
        .expect("RFC 3339")
        .to_utc();
    // Stored with microsecond precision at most, so allow the truncation.
    assert!(
        start >= before - chrono::TimeDelta::milliseconds(1) && start <= after,
        "{start} in [{before}, {after}]"
    );

    // The history lists the same call with the same values.
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(1));
    let listed = item(&history, id);
    assert_eq!(listed["phoneNumber"], "+4930901820");
    assert_eq!(listed["startTime"], start_text);
    assert_eq!(listed["duration"], json!(0));
    assert_eq!(listed["status"], "initiated");
}

async fn create_normalizes_the_number_to_e164(app: TestApp) {
    let user = app.new_user().await;
    for (sent, stored) in [
        ("  +14155552671 ", "+14155552671"),
        ("+442079460958", "+442079460958"),
        // A national trunk prefix after the country code is dropped (libphonenumber).
        ("+4402079460958", "+442079460958"),
    ] {
        let response = app
            .post_json_authed("/api/calls", &user.token, &json!({ "phone_number": sent }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{sent:?}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["phone_number"], stored, "{sent:?}");
        let history = all_calls(&app, &user.token).await;
        assert_eq!(
            item(&history, body["id"].as_str().expect("id"))["phoneNumber"],
            stored
        );
    }
}

async fn invalid_numbers_are_400_and_write_nothing(app: TestApp) {
    let user = app.new_user().await;
    let too_long = format!("+{}", "4".repeat(16));
    for number in [
        "",
        "   ",
        "4930901820",
        "004930901820",
        "+49 30 901820",
        "+49-30-901820",
        "+(49)30901820",
        "++4930901820",
        "+1234567",
        too_long.as_str(),
        "+49abc901820",
        "+49309O1820",
        "+４９30901820",
        "tel:+4930901820",
        "+4930901820;ext=1",
        // E.164-shaped but not a valid number for the country.
        "+10000000000",
        "+999123456789",
        "+4900000000",
    ] {
        let response = app
            .post_json_authed(
                "/api/calls",
                &user.token,
                &json!({ "phone_number": number }),
            )
            .await;
        let body = assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("phone_number")),
            "{number:?}: {body}"
        );
    }
    assert_eq!(
        history_total(&app, &user.token).await,
        0,
        "nothing was written"
    );
}

async fn bad_create_bodies_name_the_field_and_write_nothing(app: TestApp) {
    let user = app.new_user().await;
    for (body, expected) in [
        (json!({}), "phone_number"),
        (json!({ "number": "+4930901820" }), "phone_number"),
        (
            json!({ "phone_number": 4930901820_u64 }),
            "phone_number: invalid type",
        ),
        (
            json!({ "phone_number": null }),
            "phone_number: invalid type",
        ),
        (
            json!({ "phone_number": ["+4930901820"] }),
            "phone_number: invalid type",
        ),
        (
            json!({ "phone_number": { "e164": "+4930901820" } }),
            "phone_number: invalid type",
        ),
    ] {
        let response = app.post_json_authed("/api/calls", &user.token, &body).await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
        let message = error["message"].as_str().expect("message");
        assert!(message.contains(expected), "{body} -> {message}");
    }
    for body in [
        json!("+4930901820"),
        json!(null),
        json!(4930901820_u64),
        json!(true),
    ] {
        let response = app.post_json_authed("/api/calls", &user.token, &body).await;
        assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
    }
    let malformed = app
        .client
        .post(app.url("/api/calls"))
        .bearer_auth(&user.token)
        .header("content-type", "application/json")
        .body(r#"{"phone_number": "+4930901820""#)
        .send()
        .await
        .expect("sent");
    assert_error(malformed, StatusCode::BAD_REQUEST, "validation_error").await;
    let plain = app
        .client
        .post(app.url("/api/calls"))
        .bearer_auth(&user.token)
        .header("content-type", "text/plain")
        .body(r#"{"phone_number": "+4930901820"}"#)
        .send()
        .await
        .expect("sent");
    assert_error(
        plain,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(
        history_total(&app, &user.token).await,
        0,
        "nothing was written"
    );
}

/// A JSON array is not an object: serde would otherwise read it as the struct's fields in
/// declaration order (`["+4930901820"]` as `{"phone_number": "+4930901820"}`).
async fn array_bodies_are_refused_and_write_nothing(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, "+4930901820").await;
    let response = app
        .post_json_authed("/api/calls", &user.token, &json!(["+14155552671"]))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "POST /api/calls [\"+14155552671\"]"
    );
    assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
    let response = put_call(&app, &user.token, &id, &json!(["completed", 5])).await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "PUT /api/calls/{{id}} [\"completed\", 5]"
    );
    assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(1), "no call was created");
    assert_eq!(item(&history, &id)["status"], "initiated", "unchanged");
}

async fn calls_routes_require_a_token(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, "+4930901820").await;
    let body = json!({ "phone_number": "+4930901820" });
    let response = app.post_json("/api/calls", &body).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = app
        .post_json_authed("/api/calls", "not.a.token", &body)
        .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let update = json!({ "duration": 5, "status": "active" });
    let response = app
        .client
        .put(app.url(&format!("/api/calls/{id}")))
        .json(&update)
        .send()
        .await
        .expect("sent");
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = put_call(&app, "not.a.token", &id, &update).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = app
        .client
        .get(app.url("/api/calls/history"))
        .send()
        .await
        .expect("sent");
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // Only the call created with the valid token exists, unchanged.
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(1));
    assert_eq!(item(&history, &id)["status"], "initiated");
    assert_eq!(item(&history, &id)["duration"], json!(0));
}
