//! Shared steps of the voice tests: initiating and terminating through the API, Twilio
//! settings pointing at a local fake, and that fake's answers.

use calls_adapters_voip::twilio::signature;
use calls_server::settings::{Settings, VoipProviderKind};
use reqwest::{Response, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::assertions::assert_error;
use crate::helpers::TestApp;

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
pub const API_KEY_SID: &str = "SKfedcba9876543210fedcba9876543210";
pub const API_KEY_SECRET: &str = "api-key-secret-for-tests-only-0123";
pub const TWIML_APP_SID: &str = "AP00112233445566778899aabbccddeeff";
pub const FROM_NUMBER: &str = "+14155550100";
pub const PUBLIC_BASE_URL: &str = "https://calls.example.com";
pub use crate::fixtures::NUMBER;

pub async fn initiate(app: &TestApp, token: &str, number: &str) -> Response {
    let body = json!({ "phone_number": number });
    app.post_json_authed("/api/calls/initiate", token, &body)
        .await
}

pub async fn terminate(app: &TestApp, token: &str, call_id: &str) -> Response {
    let body = json!({ "call_id": call_id });
    app.post_json_authed("/api/calls/terminate", token, &body)
        .await
}

/// The body of an answer that must be 200.
async fn ok_body(response: Response, what: &str) -> Value {
    assert_eq!(response.status(), StatusCode::OK, "{what}");
    response.json().await.expect("json")
}

/// Initiates a call that must succeed and returns the body.
pub async fn initiate_ok(app: &TestApp, token: &str, number: &str) -> Value {
    ok_body(
        initiate(app, token, number).await,
        &format!("initiate {number}"),
    )
    .await
}

/// Terminates a call; must succeed; returns the body.
pub async fn terminate_ok(app: &TestApp, token: &str, call_id: &str) -> Value {
    ok_body(
        terminate(app, token, call_id).await,
        &format!("terminate {call_id}"),
    )
    .await
}

/// The `call_id` of an initiate answer.
pub fn call_id(started: &Value) -> &str {
    started["call_id"].as_str().expect("call id")
}

/// A call to [`NUMBER`] initiated and terminated: it counts towards the daily cap and no
/// longer holds the user's line.
pub async fn place_and_end_call(app: &TestApp, token: &str) {
    let started = initiate_ok(app, token, NUMBER).await;
    terminate_ok(app, token, call_id(&started)).await;
}

/// Initiating once more is refused by the daily cap.
pub async fn assert_daily_cap_reached(app: &TestApp, token: &str) {
    assert_error(
        initiate(app, token, NUMBER).await,
        StatusCode::TOO_MANY_REQUESTS,
        "daily_limit_exceeded",
    )
    .await;
}

/// The path of Twilio's REST resource that creates calls.
pub fn calls_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json")
}

/// Fails the test (at `MockServer::verify`) if the fake Twilio is sent a `POST path`.
pub async fn expect_no_post(twilio: &MockServer, path_of_resource: String) {
    Mock::given(method("POST"))
        .and(path(path_of_resource))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(twilio)
        .await;
}

/// The fake Twilio answers every call creation with `answer` from now on.
pub async fn create_calls_answer(twilio: &MockServer, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(calls_path()))
        .respond_with(answer)
        .mount(twilio)
        .await;
}

/// Twilio in REST mode (no Voice SDK settings), its API at `api_base_url`.
pub fn twilio_rest(settings: &mut Settings, api_base_url: &str) {
    let voip = &mut settings.voip;
    voip.provider = VoipProviderKind::Twilio;
    voip.account_sid = ACCOUNT_SID.to_owned();
    voip.auth_token = SecretString::from(AUTH_TOKEN);
    voip.from_number = FROM_NUMBER.to_owned();
    voip.public_base_url = PUBLIC_BASE_URL.to_owned();
    voip.api_base_url = api_base_url.to_owned();
    voip.request_timeout_secs = 2;
}

/// Twilio in Voice SDK mode: the browser dials with the token we issue.
pub fn twilio_sdk(settings: &mut Settings, api_base_url: &str) {
    twilio_rest(settings, api_base_url);
    let voip = &mut settings.voip;
    voip.api_key_sid = API_KEY_SID.to_owned();
    voip.api_key_secret = SecretString::from(API_KEY_SECRET);
    voip.twiml_app_sid = TWIML_APP_SID.to_owned();
}

/// Posts a webhook as Twilio does: form-encoded, signed over the public URL.
pub async fn twilio_webhook(app: &TestApp, path: &str, params: &[(&str, &str)]) -> Response {
    let url = format!("{PUBLIC_BASE_URL}{path}");
    let signature = signature::compute(AUTH_TOKEN, &url, params);
    app.post_form(path, Some(signature.as_str()), params).await
}

/// A status callback for `call_sid`.
pub async fn report(app: &TestApp, params: &[(&str, &str)]) {
    let response = twilio_webhook(app, "/api/voice/status", params).await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "status callback {params:?}"
    );
}

/// A fresh Twilio-shaped call SID.
pub fn call_sid() -> String {
    format!("CA{}", uuid::Uuid::new_v4().simple())
}
