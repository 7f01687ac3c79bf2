//! `DELETE /api/account`: everything of the account goes, after its calls in progress are hung
//! up at the provider; a wrong password, a refusal or a provider outage deletes nothing.

use calls_core::domain::CallId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::assertions::{assert_case_error, assert_error, assert_invalid, message_of};
use crate::fixtures::{NUMBER, TestUser, call_in, create_call};
use crate::helpers::TestApp;
use crate::history_support::{all_calls, history_total};
use crate::on_all_backends;
use crate::voice_support::{ACCOUNT_SID, call_id, call_sid, initiate_ok, twilio_rest};

on_all_backends!(
    deleting_the_account_removes_it_everywhere_and_frees_the_email,
    a_wrong_password_deletes_nothing_and_counts_as_a_failed_login,
    refused_deletions_delete_nothing,
    calls_in_progress_are_hung_up_at_the_provider_first,
    a_provider_outage_deletes_nothing,
);

async fn delete_account(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.delete_json_authed("/api/account", token, &json!({ "password": password }))
        .await
}

/// The account is intact: it signs in, and its history holds `calls` calls.
async fn assert_intact(app: &TestApp, user: &TestUser, calls: u64) {
    assert_eq!(
        history_total(app, &user.token).await,
        calls,
        "the calls are still there"
    );
    let login = app.login(&user.email, &user.password).await;
    assert_eq!(login.status(), StatusCode::OK, "the account still signs in");
}

async fn deleting_the_account_removes_it_everywhere_and_frees_the_email(app: TestApp) {
    let other = app.another_instance().await;
    let user = app.new_user().await;
    let bystander = app.new_user().await;
    let login = app.login(&user.email, &user.password).await;
    let second: Value = login.json().await.expect("json");
    let second = second["token"].as_str().expect("token").to_owned();
    let finished = call_in(&app, &user.token, "completed", 42).await;
    let recorded = call_in(&app, &user.token, "failed", 0).await;
    // A call in progress through the mock provider: ended before the deletion.
    let started = initiate_ok(&app, &user.token, NUMBER).await;
    let live_call = call_id(&started).to_owned();
    let bystanders = create_call(&app, &bystander.token, NUMBER).await;

    let response = delete_account(&app, &user.token, &user.password).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.bytes().await.expect("body").is_empty(),
        "empty body"
    );

    for token in [&user.token, &second] {
        let history = other.get_authed("/api/calls/history", token).await;
        assert_error(history, StatusCode::UNAUTHORIZED, "unauthorized").await;
        let again = delete_account(&other, token, &user.password).await;
        assert_error(again, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let login = other.login(&user.email, &user.password).await;
    assert_error(login, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let storage = app.storage().await;
    for id in [&finished, &recorded, &live_call] {
        let id: CallId = id.parse().expect("call id");
        assert_eq!(
            storage.calls.get(id).await.expect("read"),
            None,
            "call {id} is gone"
        );
    }

    // The address registers again, as a new account starting from zero.
    let again = other.register(&user.email, &user.password).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let body: Value = again.json().await.expect("json");
    assert_ne!(body["user"]["id"], user.id.as_str(), "a new account");
    let token = body["token"].as_str().expect("token");
    let history = all_calls(&other, token).await;
    assert_eq!(history["total"], 0, "its counters start at zero: {history}");
    let filtered = other
        .get_authed("/api/calls/history?status=completed", token)
        .await;
    let filtered: Value = filtered.json().await.expect("json");
    assert_eq!(filtered["total"], 0, "its day counters too: {filtered}");
    create_call(&other, token, NUMBER).await;
    assert_eq!(history_total(&other, token).await, 1);

    // Nobody else lost anything.
    let history = all_calls(&app, &bystander.token).await;
    assert_eq!(history["total"], 1);
    assert_eq!(history["calls"][0]["callId"], bystanders.as_str());
}

async fn a_wrong_password_deletes_nothing_and_counts_as_a_failed_login(app: TestApp) {
    let user = app.new_user().await;
    create_call(&app, &user.token, NUMBER).await;
    let wrong = delete_account(&app, &user.token, "not the password").await;
    let body = assert_error(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(message_of(&body), "the password is wrong");
    assert_intact(&app, &user, 1).await;

    // The successful login above cleared the count: five more failures lock the account.
    for attempt in 0..5 {
        let response = delete_account(&app, &user.token, "still not it").await;
        let case = format!("attempt {attempt}");
        assert_case_error(
            &case,
            response,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    let right = delete_account(&app, &user.token, &user.password).await;
    assert!(right.headers().contains_key("retry-after"), "Retry-After");
    assert_error(right, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let login = app.login(&user.email, &user.password).await;
    assert_error(login, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        history_total(&app, &user.token).await,
        1,
        "nothing was deleted"
    );
}

async fn refused_deletions_delete_nothing(app: TestApp) {
    let user = app.new_user().await;
    create_call(&app, &user.token, NUMBER).await;
    let cases = [
        ("missing password", json!({})),
        ("mistyped password", json!({"password": 42})),
        ("long password", json!({"password": "x".repeat(129)})),
    ];
    for (case, body) in cases {
        let response = app
            .delete_json_authed("/api/account", &user.token, &body)
            .await;
        assert_invalid(case, response, "password").await;
    }
    let no_token = app.call(reqwest::Method::DELETE, "/api/account").await;
    assert_error(no_token, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let forged = delete_account(&app, "a.b.c", &user.password).await;
    assert_error(forged, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_intact(&app, &user, 1).await;
}

fn call_path(sid: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json")
}

/// An instance on Twilio in REST mode whose fake answers call creations with `sid`, and a user
/// with one call in progress there.
async fn user_in_a_twilio_call(
    app: &TestApp,
    twilio: &MockServer,
    sid: &str,
) -> (TestApp, TestUser) {
    Mock::given(method("POST"))
        .and(path(format!(
            "/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
        )))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "sid": sid })))
        .expect(1)
        .mount(twilio)
        .await;
    let base = twilio.uri();
    let app = app
        .another_instance_with(move |settings| twilio_rest(settings, &base))
        .await;
    let user = app.new_user().await;
    let started = initiate_ok(&app, &user.token, NUMBER).await;
    assert_eq!(started["session_id"], sid);
    (app, user)
}

async fn calls_in_progress_are_hung_up_at_the_provider_first(app: TestApp) {
    let twilio = MockServer::start().await;
    let sid = call_sid();
    Mock::given(method("POST"))
        .and(path(call_path(&sid)))
        .and(body_string_contains("Status=completed"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sid": sid })))
        .expect(1)
        .mount(&twilio)
        .await;
    let (app, user) = user_in_a_twilio_call(&app, &twilio, &sid).await;

    let response = delete_account(&app, &user.token, &user.password).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    twilio.verify().await;
    let login = app.login(&user.email, &user.password).await;
    assert_error(login, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

async fn a_provider_outage_deletes_nothing(app: TestApp) {
    let twilio = MockServer::start().await;
    let sid = call_sid();
    Mock::given(method("POST"))
        .and(path(call_path(&sid)))
        .respond_with(ResponseTemplate::new(503))
        .mount(&twilio)
        .await;
    let (app, user) = user_in_a_twilio_call(&app, &twilio, &sid).await;

    let response = delete_account(&app, &user.token, &user.password).await;
    assert_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "voip_unavailable",
    )
    .await;
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], 1, "the call is still there: {history}");
    assert_eq!(
        history["calls"][0]["status"], "connecting",
        "and still in progress"
    );
    assert_intact(&app, &user, 1).await;
}
