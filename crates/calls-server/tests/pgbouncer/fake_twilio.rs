//! A local fake of Twilio's REST API (wiremock) for the processes under test: every call it is
//! asked to create gets a fresh SID, every update (hang-up, cancel) succeeds. And the status
//! callbacks Twilio would send, signed as Twilio signs them.

use reqwest::Method;
use serde_json::json;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::Answer;
use crate::support::api::Api;

const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const FROM_NUMBER: &str = "+14155550100";
/// The URL Twilio is told to call back on; signatures are computed over it.
const PUBLIC_BASE_URL: &str = "https://calls.example.com";

/// A created call: a new SID each time, as Twilio gives.
struct NewCall;

impl Respond for NewCall {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let sid = format!("CA{}", uuid::Uuid::new_v4().simple());
        ResponseTemplate::new(201).set_body_json(json!({ "sid": sid, "status": "queued" }))
    }
}

/// An updated call (hung up or canceled): the SID of the path.
struct UpdatedCall;

impl Respond for UpdatedCall {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sid = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".json")
            .to_owned();
        ResponseTemplate::new(200).set_body_json(json!({ "sid": sid, "status": "completed" }))
    }
}

/// Starts the fake on a loopback port.
pub async fn start() -> MockServer {
    let twilio = MockServer::start().await;
    let calls = format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls");
    Mock::given(method("POST"))
        .and(path(format!("{calls}.json")))
        .respond_with(NewCall)
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(format!("^{calls}/CA[0-9a-f]{{32}}\\.json$")))
        .respond_with(UpdatedCall)
        .mount(&twilio)
        .await;
    twilio
}

/// The server's settings for Twilio in REST mode, its API at `twilio`.
pub fn settings(twilio: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("VOIP_PROVIDER", "twilio".to_owned()),
        ("VOIP_ACCOUNT_SID", ACCOUNT_SID.to_owned()),
        ("VOIP_AUTH_TOKEN", AUTH_TOKEN.to_owned()),
        ("VOIP_FROM_NUMBER", FROM_NUMBER.to_owned()),
        ("VOICE_PUBLIC_BASE_URL", PUBLIC_BASE_URL.to_owned()),
        ("TWILIO_API_BASE_URL", twilio.uri()),
    ]
}

/// A status callback for the call `call_id` (Twilio's call `CallSid` in `params`), posted as
/// Twilio posts it: form-encoded, to the URL the server gave, signed over the public URL.
pub async fn report(api: &Api, call_id: &str, params: &[(&str, &str)]) -> Answer {
    let path = format!("/api/voice/status?call_id={call_id}");
    let url = format!("{PUBLIC_BASE_URL}{path}");
    let signature = calls_adapters_voip::twilio::signature::compute(AUTH_TOKEN, &url, params);
    let request = api
        .request(Method::POST, &path)
        .header("X-Twilio-Signature", signature)
        .form(params);
    api.send("status callback", request).await
}
