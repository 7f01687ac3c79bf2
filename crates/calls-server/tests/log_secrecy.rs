//! Secrets stay out of the logs: the real binary, at debug level, through a full journey with
//! the Twilio provider (against a local fake), must never print a password, a token, a Twilio
//! credential, the JWT secret or a full phone number.

mod support;

use std::path::Path;
use std::time::Duration;

use calls_adapters_voip::twilio::signature;
use reqwest::Method;
use serde_json::json;
use support::api::{Api, token_of};
use support::{Answer, NUMBER, ServerProcess};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD: &str = "correct horse battery staple 42";
const WRONG_PASSWORD: &str = "wrong horse battery staple 43";
const JWT_SECRET: &str = "log-secrecy-jwt-secret-0123456789abcdef";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
const PUBLIC_BASE_URL: &str = "https://calls.example.com";
const CALL_SID: &str = "CA5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f";

/// The server at debug level with the Twilio provider, its REST API at `twilio_url`.
fn start(database_url: &str, twilio_url: &str, log: &Path) -> ServerProcess {
    ServerProcess::start(
        &[
            ("DATABASE_URL", database_url),
            ("JWT_SECRET", JWT_SECRET),
            ("LOG_LEVEL", "debug"),
            ("VOIP_PROVIDER", "twilio"),
            ("VOIP_ACCOUNT_SID", ACCOUNT_SID),
            ("VOIP_AUTH_TOKEN", AUTH_TOKEN),
            ("VOIP_FROM_NUMBER", "+14155550100"),
            ("VOICE_PUBLIC_BASE_URL", PUBLIC_BASE_URL),
            ("TWILIO_API_BASE_URL", twilio_url),
        ],
        log,
    )
}

/// A status callback as Twilio posts it, signed with `signature`.
async fn status_callback(api: &Api, signature: &str, params: &[(&str, &str)]) -> Answer {
    let request = api
        .request(Method::POST, "/api/voice/status")
        .header("X-Twilio-Signature", signature)
        .form(params);
    api.send("status callback", request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_journey_logs_no_secret() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"/Calls\.json$"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "sid": CALL_SID })))
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"/Calls/CA[0-9a-f]{32}\.json$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sid": CALL_SID })))
        .mount(&twilio)
        .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}", dir.path().join("calls.db").display());
    let server = start(&database_url, &twilio.uri(), &dir.path().join("server.log"));
    let api = server.api();
    let email = "secrecy@example.com";

    let credentials = |password| json!({ "email": email, "password": password });
    let registered = api
        .post_json("/api/auth/register", &credentials(PASSWORD))
        .await;
    assert_eq!(registered.status, 201, "register: {}", registered.body);
    let register_token = token_of(&registered);
    let failed = api
        .post_json("/api/auth/login", &credentials(WRONG_PASSWORD))
        .await;
    assert_eq!(failed.status, 401, "wrong password: {}", failed.body);
    let login = api
        .post_json("/api/auth/login", &credentials(PASSWORD))
        .await;
    assert_eq!(login.status, 200, "login: {}", login.body);
    let token = token_of(&login);
    let call = json!({ "phone_number": NUMBER });
    let started = api
        .post_json_authed("/api/calls/initiate", &token, &call)
        .await;
    let call_id = started.body["call_id"]
        .as_str()
        .expect("call started")
        .to_owned();
    for status in ["in-progress", "ringing"] {
        let params = [
            ("CallSid", CALL_SID),
            ("CallStatus", status),
            ("To", NUMBER),
        ];
        let url = format!("{PUBLIC_BASE_URL}/api/voice/status");
        let signed = signature::compute(AUTH_TOKEN, &url, &params);
        let response = status_callback(&api, &signed, &params).await;
        assert_eq!(response.status, 204, "{status} callback");
    }
    let forged = [("CallSid", CALL_SID), ("CallStatus", "completed")];
    let forged = status_callback(&api, "forged", &forged).await;
    assert_eq!(forged.status, 403);
    let call = json!({ "call_id": call_id });
    let ended = api
        .post_json_authed("/api/calls/terminate", &token, &call)
        .await;
    assert_eq!(ended.status, 200);
    let history = api.get_authed("/api/calls/history", &token).await;
    assert_eq!(history.status, 200);
    let bad_token = api
        .get_authed("/api/calls/history", &format!("{token}x"))
        .await;
    assert_eq!(bad_token.status, 401);
    let logout = api.logout(&token).await;
    assert!(
        (200..300).contains(&logout.status),
        "logout: {}",
        logout.status
    );

    // Give the log writer a moment, then collect everything.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = server.log_text();
    drop(server);
    let logs: Vec<&str> = text.lines().collect();
    let all = logs.join("\n");
    assert!(
        logs.len() > 10 && all.contains("call initiated"),
        "the journey was logged at all: {all}"
    );
    let token_signature = token.rsplit('.').next().expect("signature");
    let digits = NUMBER.trim_start_matches('+');
    for (what, secret) in [
        ("password", PASSWORD),
        ("wrong password", WRONG_PASSWORD),
        ("login token", token.as_str()),
        ("login token signature", token_signature),
        ("register token", register_token.as_str()),
        ("JWT secret", JWT_SECRET),
        ("Twilio auth token", AUTH_TOKEN),
        ("full phone number", digits),
        ("full phone number, grouped", "30901820"),
    ] {
        let leaked: Vec<&&str> = logs.iter().filter(|line| line.contains(secret)).collect();
        assert!(leaked.is_empty(), "{what} appears in the logs: {leaked:#?}");
    }
    assert!(
        all.contains("1820"),
        "masked numbers keep their last four digits: {all}"
    );
}
