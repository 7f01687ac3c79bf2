//! Twilio as it really behaves, through the HTTP API: slow to answer a creation (the call rings
//! all the same), repeating and reordering its status callbacks, reporting both legs of a
//! browser call, and signing with or without the default port.

use std::time::Duration;

use calls_adapters_voip::twilio::signature;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::assertions::assert_error;
use crate::helpers::TestApp;
use crate::history_support::{all_calls, item};
use crate::on_all_backends;
use crate::voice_support::{
    ACCOUNT_SID, AUTH_TOKEN, NUMBER, PUBLIC_BASE_URL, call_id, call_sid, calls_path, initiate,
    initiate_ok, twilio_rest, twilio_sdk, twilio_webhook,
};

on_all_backends!(
    a_creation_answered_too_late_is_canceled_and_hung_up_in_silence,
    the_talk_time_counts_and_stale_callbacks_change_nothing,
    signatures_with_and_without_the_default_port_are_accepted,
);

/// A step of a flow: its name, the webhook path and query, the callback's parameters, and the
/// status and duration the call must have afterwards.
type Step<'a> = (&'a str, &'a str, Vec<(&'a str, String)>, &'a str, u64);

fn call_path(sid: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json")
}

async fn duration_and_status(app: &TestApp, token: &str, call_id: &str) -> (Value, Value) {
    let call = item(&all_calls(app, token).await, call_id).clone();
    (call["status"].clone(), call["duration"].clone())
}

/// The form fields Twilio received in `request`.
fn field(request: &wiremock::Request, name: &str) -> String {
    let form: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&request.body).expect("form body");
    form.into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
        .unwrap_or_default()
}

/// Waits (bounded) until the fake Twilio has received a `POST` to `path` whose body has
/// `Status=status`; the cancel is sent in the background.
async fn wait_for_ending(twilio: &MockServer, path_of_call: &str, status: &str) {
    let wanted = format!("Status={status}");
    for _ in 0..100 {
        let received = twilio.received_requests().await.expect("recording");
        if received.iter().any(|request| {
            request.url.path() == path_of_call
                && String::from_utf8_lossy(&request.body).contains(&wanted)
        }) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("Twilio was never sent {wanted} for {path_of_call}");
}

async fn a_creation_answered_too_late_is_canceled_and_hung_up_in_silence(app: TestApp) {
    let twilio = MockServer::start().await;
    let sid = call_sid();
    // Twilio places the call but answers after our 2 s limit.
    Mock::given(method("POST"))
        .and(path(calls_path()))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "sid": sid }))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(call_path(&sid)))
        .and(body_string_contains("Status="))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sid": sid })))
        .mount(&twilio)
        .await;
    let base = twilio.uri();
    let app = app
        .another_instance_with(move |settings| twilio_rest(settings, &base))
        .await;
    let user = app.new_user().await;

    assert_error(
        initiate(&app, &user.token, NUMBER).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "voip_unavailable",
    )
    .await;
    let history = all_calls(&app, &user.token).await;
    let call_id = history["calls"][0]["callId"]
        .as_str()
        .unwrap_or_else(|| panic!("the failed attempt is recorded: {history}"))
        .to_owned();
    assert_eq!(history["calls"][0]["status"], "failed");

    // Twilio rings the callee and reports it, to the URL it was given.
    let created = twilio.received_requests().await.expect("recording");
    let status_url = field(&created[0], "StatusCallback");
    let twiml_url = field(&created[0], "Url");
    let status_path = status_url
        .strip_prefix(PUBLIC_BASE_URL)
        .expect("our public URL");
    assert!(status_path.contains(&call_id), "{status_path}");
    let ringing = [
        ("CallSid", sid.as_str()),
        ("CallStatus", "ringing"),
        ("SequenceNumber", "1"),
        ("Direction", "outbound-api"),
    ];
    let response = twilio_webhook(&app, status_path, &ringing).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    wait_for_ending(&twilio, &call_path(&sid), "canceled").await;

    // The callee answered before the cancel took: Twilio asks what to do, and hears nothing.
    let twiml_path = twiml_url.strip_prefix(PUBLIC_BASE_URL).expect("our URL");
    let answered = [
        ("CallSid", sid.as_str()),
        ("Direction", "outbound-api"),
        ("CallStatus", "in-progress"),
    ];
    let response = twilio_webhook(&app, twiml_path, &answered).await;
    assert_eq!(response.status(), StatusCode::OK);
    let document = response.text().await.expect("TwiML");
    assert_eq!(
        document, r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#,
        "a silent hang-up: nothing is said to a stranger"
    );
    wait_for_ending(&twilio, &call_path(&sid), "completed").await;

    let (status, _) = duration_and_status(&app, &user.token, &call_id).await;
    assert_eq!(status, "failed", "the call stays failed");
}

async fn the_talk_time_counts_and_stale_callbacks_change_nothing(app: TestApp) {
    let twilio = MockServer::start().await;
    let base = twilio.uri();
    let app = app
        .another_instance_with(move |settings| twilio_sdk(settings, &base))
        .await;
    let user = app.new_user().await;
    let started = initiate_ok(&app, &user.token, NUMBER).await;
    let call_id = call_id(&started).to_owned();
    let identity = format!("client:user_{}", user.id.replace('-', ""));
    let (browser, dialled) = (call_sid(), call_sid());
    let response = twilio_webhook(
        &app,
        "/api/voice/twiml",
        &[("CallSid", &browser), ("From", &identity), ("To", NUMBER)],
    )
    .await;
    assert!(response.text().await.expect("TwiML").contains("<Dial"));

    let browser_leg = |status: &'static str, sequence: &'static str, duration: &'static str| {
        vec![
            ("CallSid", browser.clone()),
            ("CallStatus", status.to_owned()),
            ("SequenceNumber", sequence.to_owned()),
            ("CallDuration", duration.to_owned()),
        ]
    };
    let dialled_leg = |status: &'static str, sequence: &'static str, duration: &'static str| {
        vec![
            ("CallSid", dialled.clone()),
            ("ParentCallSid", browser.clone()),
            ("CallStatus", status.to_owned()),
            ("SequenceNumber", sequence.to_owned()),
            ("CallDuration", duration.to_owned()),
        ]
    };
    let status_path = format!("/api/voice/status?call_id={call_id}");
    // (case, path, callback, status and duration afterwards)
    let steps: [Step<'_>; 5] = [
        (
            "the dialled leg answers",
            &status_path,
            dialled_leg("in-progress", "2", "0"),
            "active",
            0,
        ),
        (
            "the browser leg completes first",
            "/api/voice/status",
            browser_leg("completed", "5", "45"),
            "completed",
            45,
        ),
        (
            "the dialled leg's talk time",
            &status_path,
            dialled_leg("completed", "3", "37"),
            "completed",
            37,
        ),
        (
            "a stale repeat",
            &status_path,
            dialled_leg("completed", "3", "5"),
            "completed",
            37,
        ),
        (
            "the browser leg again",
            "/api/voice/status",
            browser_leg("completed", "5", "45"),
            "completed",
            37,
        ),
    ];
    for (case, path_and_query, params, status, duration) in steps {
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let response = twilio_webhook(&app, path_and_query, &params).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{case}");
        let (stored_status, stored_duration) =
            duration_and_status(&app, &user.token, &call_id).await;
        assert_eq!(
            (stored_status, stored_duration),
            (json!(status), json!(duration)),
            "after {case}"
        );
    }
    // Not a report Twilio could send: refused, nothing read.
    let response = twilio_webhook(
        &app,
        "/api/voice/status",
        &[
            ("CallSid", browser.as_str()),
            ("CallStatus", "completed"),
            ("SequenceNumber", "soon"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

async fn signatures_with_and_without_the_default_port_are_accepted(app: TestApp) {
    let twilio = MockServer::start().await;
    let base = twilio.uri();
    let app = app
        .another_instance_with(move |settings| twilio_rest(settings, &base))
        .await;
    let params = [
        ("CallSid", "CA00000000000000000000000000000001"),
        ("CallStatus", "ringing"),
    ];
    let host = PUBLIC_BASE_URL.trim_start_matches("https://");
    for (url, expected) in [
        (
            format!("https://{host}/api/voice/status"),
            StatusCode::NO_CONTENT,
        ),
        (
            format!("https://{host}:443/api/voice/status"),
            StatusCode::NO_CONTENT,
        ),
        (
            format!("https://{host}:8443/api/voice/status"),
            StatusCode::FORBIDDEN,
        ),
        (
            format!("http://{host}:443/api/voice/status"),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let signature = signature::compute(AUTH_TOKEN, &url, &params);
        let response = app
            .post_form("/api/voice/status", Some(signature.as_str()), &params)
            .await;
        assert_eq!(response.status(), expected, "signed over {url}");
    }
}
