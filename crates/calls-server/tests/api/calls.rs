//! `POST /api/calls`: the created body, phone number validation, bad bodies and
//! authentication; refused requests write nothing.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assertions::{assert_case_error, assert_invalid, keys};
use crate::fixtures::{NUMBER, create_call, put_call, update_call};
use crate::helpers::TestApp;
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

/// `POST /api/calls` for `number`.
async fn create(app: &TestApp, token: &str, number: &str) -> reqwest::Response {
    app.post_json_authed("/api/calls", token, &json!({ "phone_number": number }))
        .await
}

async fn create_answers_the_exact_contract_body(app: TestApp) {
    let user = app.new_user().await;
    let before = Utc::now();
    let response = create(&app, &user.token, NUMBER).await;
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
    assert_eq!(body["phone_number"], NUMBER);
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
    assert_eq!(listed["phoneNumber"], NUMBER);
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
        let response = create(&app, &user.token, sent).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{sent:?}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["phone_number"], stored, "{sent:?}");
        let history = all_calls(&app, &user.token).await;
        assert_eq!(
            item(&history, body["id"].as_str().expect("id"))["phoneNumber"],
            stored,
            "{sent:?}"
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
        let response = create(&app, &user.token, number).await;
        assert_invalid(&format!("{number:?}"), response, "phone_number").await;
    }
    assert_eq!(
        history_total(&app, &user.token).await,
        0,
        "nothing was written"
    );
}

async fn bad_create_bodies_name_the_field_and_write_nothing(app: TestApp) {
    let user = app.new_user().await;
    let wrong_type = "phone_number: invalid type";
    for (body, expected) in [
        (json!({}), "phone_number"),
        (json!({ "number": NUMBER }), "phone_number"),
        (json!({ "phone_number": 4930901820_u64 }), wrong_type),
        (json!({ "phone_number": null }), wrong_type),
        (json!({ "phone_number": [NUMBER] }), wrong_type),
        (json!({ "phone_number": { "e164": NUMBER } }), wrong_type),
    ] {
        let response = app.post_json_authed("/api/calls", &user.token, &body).await;
        assert_invalid(&body.to_string(), response, expected).await;
    }
    for body in [
        json!(NUMBER),
        json!(null),
        json!(4930901820_u64),
        json!(true),
    ] {
        let response = app.post_json_authed("/api/calls", &user.token, &body).await;
        assert_case_error(
            &body.to_string(),
            response,
            StatusCode::BAD_REQUEST,
            "validation_error",
        )
        .await;
    }
    let token = Some(user.token.as_str());
    for (content_type, body, status, code) in [
        (
            "application/json",
            r#"{"phone_number": "+4930901820""#,
            StatusCode::BAD_REQUEST,
            "validation_error",
        ),
        (
            "text/plain",
            r#"{"phone_number": "+4930901820"}"#,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ] {
        let response = app
            .post_raw("/api/calls", token, Some(content_type), body)
            .await;
        assert_case_error(&format!("{content_type} {body}"), response, status, code).await;
    }
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
    let id = create_call(&app, &user.token, NUMBER).await;
    let response = app
        .post_json_authed("/api/calls", &user.token, &json!(["+14155552671"]))
        .await;
    let case = "POST /api/calls [\"+14155552671\"]";
    assert_case_error(case, response, StatusCode::BAD_REQUEST, "validation_error").await;
    let response = put_call(&app, &user.token, &id, &json!(["completed", 5])).await;
    let case = "PUT /api/calls/{id} [\"completed\", 5]";
    assert_case_error(case, response, StatusCode::BAD_REQUEST, "validation_error").await;
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(1), "no call was created");
    assert_eq!(item(&history, &id)["status"], "initiated", "unchanged");
}

async fn calls_routes_require_a_token(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, NUMBER).await;
    let body = json!({ "phone_number": NUMBER });
    let update = json!({ "duration": 5, "status": "active" });
    let path = format!("/api/calls/{id}");
    let refused = [
        (
            "create without a token",
            app.post_json("/api/calls", &body).await,
        ),
        (
            "create with a garbage token",
            create(&app, "not.a.token", NUMBER).await,
        ),
        ("update without a token", app.put_json(&path, &update).await),
        (
            "update with a garbage token",
            update_call(&app, "not.a.token", &id, 5, "active").await,
        ),
        (
            "history without a token",
            app.get("/api/calls/history").await,
        ),
    ];
    for (case, response) in refused {
        assert_case_error(case, response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    // Only the call created with the valid token exists, unchanged.
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(1));
    assert_eq!(item(&history, &id)["status"], "initiated");
    assert_eq!(item(&history, &id)["duration"], json!(0));
}
