//! Shared test fixtures: Twilio settings, a fixed clock and a fake of Twilio's Calls API that
//! behaves like the real one (it remembers the calls it created).

#![allow(dead_code)] // each test target uses a different part

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calls_adapters_voip::twilio::{TwilioConfig, TwilioVoiceProvider};
use calls_core::domain::{CallId, PhoneNumber, UserId};
use calls_core::ports::{Clock, OutboundCall};
use chrono::{DateTime, TimeZone, Utc};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{basic_auth, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "test-auth-token-not-real";
pub const API_KEY_SID: &str = "SKfedcba9876543210fedcba9876543210";
pub const API_KEY_SECRET: &str = "test-api-key-secret-not-real";
pub const TWIML_APP_SID: &str = "AP00112233445566778899aabbccddeeff";
pub const FROM_NUMBER: &str = "+15005550006";
pub const PUBLIC_BASE_URL: &str = "https://calls.example.test";
pub const CALLS_PATH: &str = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json";
pub const DESTINATION: &str = "+4930901820";

pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 15, 0)
        .single()
        .expect("valid date")
}

pub fn fixed_clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock(fixed_now()))
}

/// REST-mode settings against `api_base_url`, with short timeouts and delays so tests are fast.
pub fn rest_config(api_base_url: &str) -> TwilioConfig {
    TwilioConfig {
        account_sid: Some(ACCOUNT_SID.to_owned()),
        auth_token: Some(SecretString::from(AUTH_TOKEN)),
        from_number: Some(FROM_NUMBER.to_owned()),
        public_base_url: Some(format!("{PUBLIC_BASE_URL}/")),
        api_base_url: api_base_url.to_owned(),
        request_timeout: Duration::from_millis(500),
        max_retries: 2,
        retry_base_delay: Duration::from_millis(10),
        retry_max_delay: Duration::from_millis(40),
        ..TwilioConfig::default()
    }
}

/// Voice SDK settings (REST settings plus API key and TwiML app).
pub fn sdk_config(api_base_url: &str) -> TwilioConfig {
    TwilioConfig {
        api_key_sid: Some(API_KEY_SID.to_owned()),
        api_key_secret: Some(SecretString::from(API_KEY_SECRET)),
        twiml_app_sid: Some(TWIML_APP_SID.to_owned()),
        ..rest_config(api_base_url)
    }
}

pub fn rest_provider(server: &MockServer) -> TwilioVoiceProvider {
    TwilioVoiceProvider::new(&rest_config(&server.uri()), fixed_clock()).expect("valid config")
}

pub fn outbound_call() -> OutboundCall {
    OutboundCall {
        call_id: CallId::new(),
        user_id: UserId::new(),
        to: PhoneNumber::parse(DESTINATION).expect("valid number"),
    }
}

pub fn call_path(call_sid: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{call_sid}.json")
}

/// The form fields of a request, in order, repeated names kept.
pub fn form_of(request: &Request) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(&request.body).expect("a form body")
}

pub fn twilio_error(http_status: u16, code: u32) -> ResponseTemplate {
    ResponseTemplate::new(http_status).set_body_json(json!({
        "code": code,
        "message": format!("error {code} for +15005550001"),
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": http_status,
    }))
}

pub fn created_call(sid: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({
        "sid": sid,
        "account_sid": ACCOUNT_SID,
        "status": "queued",
        "to": DESTINATION,
        "from": FROM_NUMBER,
    }))
}

/// A stateful fake of Twilio's Calls resource: creating a call issues a fresh SID, and only
/// SIDs it issued can be updated; any other gets Twilio's 404 (error 20404).
#[derive(Clone, Default)]
pub struct FakeCalls {
    issued: Arc<Mutex<HashSet<String>>>,
    next: Arc<AtomicU64>,
}

impl FakeCalls {
    /// Mounts the fake (requiring the account SID and auth token) on `server`.
    pub async fn mount(&self, server: &MockServer) {
        self.mount_accepting(server, ACCOUNT_SID, AUTH_TOKEN).await;
    }

    /// Mounts the fake on `server`, answering requests with these Basic credentials. Mounted
    /// twice (with clones) it accepts both pairs over the same calls.
    pub async fn mount_accepting(&self, server: &MockServer, username: &str, password: &str) {
        Mock::given(method("POST"))
            .and(path(CALLS_PATH))
            .and(basic_auth(username, password))
            .respond_with(CreateCall(self.clone()))
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(format!(
                "^/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/[^/]+\\.json$"
            )))
            .and(basic_auth(username, password))
            .respond_with(UpdateCall(self.clone()))
            .mount(server)
            .await;
    }
}

struct CreateCall(FakeCalls);

impl Respond for CreateCall {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let number = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
        let sid = format!("CA{number:032x}");
        self.0
            .issued
            .lock()
            .expect("not poisoned")
            .insert(sid.clone());
        created_call(&sid)
    }
}

struct UpdateCall(FakeCalls);

impl Respond for UpdateCall {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sid = request
            .url
            .path()
            .rsplit('/')
            .next()
            .and_then(|last| last.strip_suffix(".json"))
            .unwrap_or_default()
            .to_owned();
        if self.0.issued.lock().expect("not poisoned").contains(&sid) {
            ResponseTemplate::new(200).set_body_json(json!({"sid": sid, "status": "completed"}))
        } else {
            twilio_error(404, 20404)
        }
    }
}
