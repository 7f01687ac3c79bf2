//! `PUT /api/calls/{id}`: the updated body, and that invalid durations, statuses and ids are
//! refused without changing anything.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::calls::{create_call, put_call};
use crate::helpers::{TestApp, assert_error};
use crate::history_support::{all_calls, item};
use crate::on_all_backends;

on_all_backends!(
    update_answers_the_exact_contract_body,
    update_without_duration_keeps_the_stored_one,
    invalid_durations_are_400_and_change_nothing,
    invalid_statuses_are_400_and_change_nothing,
    unknown_and_malformed_call_ids,
);

async fn update_answers_the_exact_contract_body(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, "+4930901820").await;
    let response = put_call(
        &app,
        &user.token,
        &id,
        &json!({ "duration": 42, "status": "active" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({ "id": id, "duration": 42, "status": "active" })
    );
    let response = put_call(
        &app,
        &user.token,
        &id,
        &json!({ "duration": 2147483647, "status": "completed" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({ "id": id, "duration": 2147483647, "status": "completed" })
    );
    let history = all_calls(&app, &user.token).await;
    assert_eq!(item(&history, &id)["duration"], json!(2147483647));
    assert_eq!(item(&history, &id)["status"], "completed");
}

async fn update_without_duration_keeps_the_stored_one(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, "+4930901820").await;
    let response = put_call(
        &app,
        &user.token,
        &id,
        &json!({ "duration": 17, "status": "active" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = put_call(&app, &user.token, &id, &json!({ "status": "completed" })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({ "id": id, "duration": 17, "status": "completed" })
    );
    let response = put_call(
        &app,
        &user.token,
        &id,
        &json!({ "duration": 0, "status": "completed" }),
    )
    .await;
    assert_error(response, StatusCode::CONFLICT, "invalid_transition").await;
    let history = all_calls(&app, &user.token).await;
    assert_eq!(item(&history, &id)["duration"], json!(17));
}

async fn invalid_durations_are_400_and_change_nothing(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, "+4930901820").await;
    assert_eq!(
        put_call(
            &app,
            &user.token,
            &id,
            &json!({ "duration": 9, "status": "connecting" })
        )
        .await
        .status(),
        StatusCode::OK
    );
    let huge: Value = serde_json::from_str("99999999999999999999").expect("number");
    for duration in [
        json!(-1),
        json!(-2147483648_i64),
        json!(1.5),
        json!(10.0),
        json!(2147483648_i64),
        json!(4294967296_i64),
        json!(9223372036854775807_i64),
        json!(9223372036854775808_u64),
        huge,
        json!(1e20),
        json!("10"),
        json!(true),
        json!([10]),
        json!({ "seconds": 10 }),
    ] {
        let response = put_call(
            &app,
            &user.token,
            &id,
            &json!({ "duration": duration, "status": "active" }),
        )
        .await;
        let body = assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("duration")),
            "{duration}: {body}"
        );
    }
    let history = all_calls(&app, &user.token).await;
    assert_eq!(item(&history, &id)["status"], "connecting", "unchanged");
    assert_eq!(item(&history, &id)["duration"], json!(9), "unchanged");
}

async fn invalid_statuses_are_400_and_change_nothing(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, "+4930901820").await;
    for status in [
        json!("ringing"),
        json!("Active"),
        json!("ACTIVE"),
        json!(" active"),
        json!(""),
        json!("cancelled"),
        json!("active\u{0}"),
    ] {
        let response = put_call(
            &app,
            &user.token,
            &id,
            &json!({ "duration": 5, "status": status }),
        )
        .await;
        let body = assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("status")),
            "{status}: {body}"
        );
    }
    for body in [
        json!({ "duration": 5 }),
        json!({ "duration": 5, "status": null }),
        json!({ "duration": 5, "status": 2 }),
        json!({ "duration": 5, "status": ["active"] }),
    ] {
        let response = put_call(&app, &user.token, &id, &body).await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("status")),
            "{body}: {error}"
        );
    }
    let history = all_calls(&app, &user.token).await;
    assert_eq!(item(&history, &id)["status"], "initiated", "unchanged");
    assert_eq!(item(&history, &id)["duration"], json!(0), "unchanged");
}

async fn unknown_and_malformed_call_ids(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, "+4930901820").await;
    let update = json!({ "duration": 5, "status": "active" });
    for unknown in [
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::now_v7().to_string(),
        uuid::Uuid::nil().to_string(),
    ] {
        let response = put_call(&app, &user.token, &unknown, &update).await;
        assert_error(response, StatusCode::NOT_FOUND, "call_not_found").await;
    }
    let too_long = format!("{id}0");
    for malformed in [
        "not-a-uuid",
        "123",
        "%20",
        too_long.as_str(),
        &id[..35],
        "00000000-0000-0000-0000-00000000000g",
    ] {
        let response = put_call(&app, &user.token, malformed, &update).await;
        let body = assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains("id")),
            "{malformed}: {body}"
        );
    }
    // `history` is its own resource: PUT there is a wrong method, not a malformed id.
    let response = put_call(&app, &user.token, "history", &update).await;
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
    let response = app
        .client
        .get(app.url(&format!("/api/calls/{id}")))
        .bearer_auth(&user.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("PUT")
    );
    assert_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(1));
    assert_eq!(item(&history, &id)["status"], "initiated", "unchanged");
}
