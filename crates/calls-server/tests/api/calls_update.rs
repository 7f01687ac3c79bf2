//! `PUT /api/calls/{id}`: the updated body, and that invalid durations, statuses and ids are
//! refused without changing anything.
//!
//! The refusals are tables: each row is a name, what is sent, and the answer it must get; the
//! row's name starts every assertion message.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assertions::{assert_case_error, assert_invalid, assert_method_not_allowed};
use crate::fixtures::{NUMBER, call_in, create_call, put_call, set_status, update_call};
use crate::helpers::TestApp;
use crate::history_support::{all_calls, item};
use crate::on_all_backends;

on_all_backends!(
    update_answers_the_exact_contract_body,
    update_without_duration_keeps_the_stored_one,
    invalid_durations_are_400_and_change_nothing,
    invalid_statuses_are_400_and_change_nothing,
    unknown_and_malformed_call_ids,
);

/// Sends each `(name, body)` as an update of `id`; each must be a 400 naming `field`.
async fn assert_bodies_refused(
    app: &TestApp,
    token: &str,
    id: &str,
    field: &str,
    cases: Vec<(String, Value)>,
) {
    for (case, body) in cases {
        let response = put_call(app, token, id, &body).await;
        assert_invalid(&case, response, field).await;
    }
}

/// The history lists `id` with `status` and `duration`: what the last accepted update stored,
/// whatever was refused since.
async fn assert_stored(app: &TestApp, token: &str, id: &str, status: &str, duration: u32) {
    let history = all_calls(app, token).await;
    assert_eq!(item(&history, id)["status"], status, "stored status");
    assert_eq!(
        item(&history, id)["duration"],
        json!(duration),
        "stored duration"
    );
}

async fn update_answers_the_exact_contract_body(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, NUMBER).await;
    for (duration, status) in [(42, "active"), (2147483647, "completed")] {
        let response = update_call(&app, &user.token, &id, duration, status).await;
        assert_eq!(response.status(), StatusCode::OK, "{status} {duration}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body,
            json!({ "id": id, "duration": duration, "status": status }),
            "{status} {duration}"
        );
    }
    assert_stored(&app, &user.token, &id, "completed", 2147483647).await;
}

async fn update_without_duration_keeps_the_stored_one(app: TestApp) {
    let user = app.new_user().await;
    let id = call_in(&app, &user.token, "active", 17).await;
    let response = put_call(&app, &user.token, &id, &json!({ "status": "completed" })).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({ "id": id, "duration": 17, "status": "completed" })
    );
    let response = update_call(&app, &user.token, &id, 0, "completed").await;
    assert_case_error(
        "completed again",
        response,
        StatusCode::CONFLICT,
        "invalid_transition",
    )
    .await;
    let history = all_calls(&app, &user.token).await;
    assert_eq!(item(&history, &id)["duration"], json!(17));
}

async fn invalid_durations_are_400_and_change_nothing(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, NUMBER).await;
    set_status(&app, &user.token, &id, "connecting", 9).await;
    let huge: Value = serde_json::from_str("99999999999999999999").expect("number");
    let durations = [
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
    ];
    let cases = durations
        .into_iter()
        .map(|duration| {
            let body = json!({ "duration": duration, "status": "active" });
            (format!("duration {duration}"), body)
        })
        .collect();
    assert_bodies_refused(&app, &user.token, &id, "duration", cases).await;
    assert_stored(&app, &user.token, &id, "connecting", 9).await;
}

async fn invalid_statuses_are_400_and_change_nothing(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, NUMBER).await;
    let statuses = [
        json!("ringing"),
        json!("Active"),
        json!("ACTIVE"),
        json!(" active"),
        json!(""),
        json!("cancelled"),
        json!("active\u{0}"),
    ];
    let mut cases: Vec<(String, Value)> = statuses
        .into_iter()
        .map(|status| {
            let body = json!({ "duration": 5, "status": status });
            (format!("status {status}"), body)
        })
        .collect();
    for body in [
        json!({ "duration": 5 }),
        json!({ "duration": 5, "status": null }),
        json!({ "duration": 5, "status": 2 }),
        json!({ "duration": 5, "status": ["active"] }),
    ] {
        cases.push((body.to_string(), body));
    }
    assert_bodies_refused(&app, &user.token, &id, "status", cases).await;
    assert_stored(&app, &user.token, &id, "initiated", 0).await;
}

async fn unknown_and_malformed_call_ids(app: TestApp) {
    let user = app.new_user().await;
    let id = create_call(&app, &user.token, NUMBER).await;
    let update = json!({ "duration": 5, "status": "active" });
    for unknown in [
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::now_v7().to_string(),
        uuid::Uuid::nil().to_string(),
    ] {
        let response = put_call(&app, &user.token, &unknown, &update).await;
        assert_case_error(&unknown, response, StatusCode::NOT_FOUND, "call_not_found").await;
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
        assert_invalid(malformed, response, "id").await;
    }
    // `history` is its own resource: PUT there is a wrong method, not a malformed id.
    let response = put_call(&app, &user.token, "history", &update).await;
    assert_method_not_allowed(response, "GET").await;
    let get = app
        .get_authed(&format!("/api/calls/{id}"), &user.token)
        .await;
    assert_method_not_allowed(get, "PUT").await;
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(1));
    assert_eq!(item(&history, &id)["status"], "initiated", "unchanged");
}
