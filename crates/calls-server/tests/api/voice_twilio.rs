//! The full Twilio flows through the HTTP API, with Twilio's REST API replaced by a local fake
//! (wiremock) and its webhooks signed as Twilio signs them.
//!
//! A flow's status callbacks are tables: each row is a name, the callback's parameters and the
//! status the call must have afterwards; the row's name starts every assertion message.

use calls_adapters_voip::twilio::signature;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{basic_auth, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::assertions::{assert_case_error, assert_content_type, assert_error};
use crate::helpers::TestApp;
use crate::history_support::{all_calls, item};
use crate::on_all_backends;
use crate::voice_support::{
    ACCOUNT_SID, API_KEY_SECRET, API_KEY_SID, AUTH_TOKEN, FROM_NUMBER, NUMBER, PUBLIC_BASE_URL,
    call_id, call_sid, calls_path, create_calls_answer, expect_no_post, initiate, initiate_ok,
    report, terminate_ok, twilio_rest, twilio_sdk, twilio_webhook,
};

on_all_backends!(
    rest_flow_with_out_of_order_callbacks,
    sdk_flow_links_the_browser_call_and_hangs_up,
    the_browser_may_dial_only_what_it_initiated,
    unsigned_or_missigned_webhooks_are_403,
    a_twilio_outage_fails_the_call_with_503,
);

fn call_path(sid: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json")
}

async fn twilio_app(app: &TestApp, twilio: &MockServer, sdk: bool) -> TestApp {
    let base = twilio.uri();
    app.another_instance_with(move |settings| {
        if sdk {
            twilio_sdk(settings, &base);
        } else {
            twilio_rest(settings, &base);
        }
    })
    .await
}

async fn status_of(app: &TestApp, token: &str, call_id: &str) -> Value {
    item(&all_calls(app, token).await, call_id).clone()
}

/// A row of a flow's callbacks: its name, the callback's parameters, and the status the call
/// must have after it.
type Callback<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

/// Sends each row's status callback in order; after each, the call must have the row's status.
async fn report_in_turn(app: &TestApp, token: &str, call_id: &str, callbacks: &[Callback<'_>]) {
    for (case, params, expected) in callbacks {
        report(app, params).await;
        let call = status_of(app, token, call_id).await;
        assert_eq!(call["status"], *expected, "after {case}: {call}");
    }
}

fn form_of(request: &wiremock::Request) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(&request.body).expect("form body")
}

/// The TwiML webhook for a browser (`client:`) or an answered REST call.
async fn twiml(app: &TestApp, params: &[(&str, &str)]) -> reqwest::Response {
    twilio_webhook(app, "/api/voice/twiml", params).await
}

async fn rest_flow_with_out_of_order_callbacks(app: TestApp) {
    let twilio = MockServer::start().await;
    let sid = call_sid();
    Mock::given(method("POST"))
        .and(path(calls_path()))
        .and(basic_auth(ACCOUNT_SID, AUTH_TOKEN))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "sid": sid })))
        .expect(1)
        .mount(&twilio)
        .await;
    // The call completes at Twilio before the user terminates: no hang-up is sent.
    expect_no_post(&twilio, call_path(&sid)).await;
    let app = twilio_app(&app, &twilio, false).await;
    let user = app.new_user().await;

    let started = initiate_ok(&app, &user.token, NUMBER).await;
    assert_eq!(started["session_id"], sid.as_str());
    assert!(started.get("voice_token").is_none(), "{started}");
    let call_id = call_id(&started);

    // What Twilio received.
    let requests = twilio.received_requests().await.expect("recorded");
    let form = form_of(&requests[0]);
    let field = |name: &str| -> Vec<&str> {
        form.iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    };
    let twiml_url = format!("{PUBLIC_BASE_URL}/api/voice/twiml?call_id={call_id}");
    let status_url = format!("{PUBLIC_BASE_URL}/api/voice/status?call_id={call_id}");
    for (name, expected) in [
        ("To", vec![NUMBER]),
        ("From", vec![FROM_NUMBER]),
        ("Url", vec![twiml_url.as_str()]),
        ("StatusCallback", vec![status_url.as_str()]),
        (
            "StatusCallbackEvent",
            vec!["initiated", "ringing", "answered", "completed"],
        ),
        ("Timeout", vec!["30"]),
    ] {
        assert_eq!(field(name), expected, "{name}");
    }

    // Answered: Twilio asks what to do with the call we placed.
    let answered = twiml(
        &app,
        &[
            ("CallSid", &sid),
            ("Direction", "outbound-api"),
            ("From", FROM_NUMBER),
            ("To", NUMBER),
        ],
    )
    .await;
    assert_eq!(answered.status(), StatusCode::OK);
    assert_content_type("the answered call's TwiML", &answered, "application/xml");
    let document = answered.text().await.expect("TwiML");
    assert!(document.contains("<Pause"), "{document}");

    let completed = [
        ("CallSid", sid.as_str()),
        ("CallStatus", "completed"),
        ("CallDuration", "42"),
        ("SequenceNumber", "3"),
    ];
    let callback = |status: &'static str, sequence: &'static str| {
        [
            ("CallSid", sid.as_str()),
            ("CallStatus", status),
            ("SequenceNumber", sequence),
        ]
    };
    let (ringing, in_progress, failed) = (
        callback("ringing", "1"),
        callback("in-progress", "2"),
        callback("failed", "4"),
    );
    report_in_turn(
        &app,
        &user.token,
        call_id,
        &[
            ("ringing", &ringing, "connecting"),
            ("in-progress", &in_progress, "active"),
            // Late and out of order: never moves the call back.
            ("a late ringing", &ringing, "active"),
            ("completed", &completed, "completed"),
            ("completed again", &completed, "completed"),
            ("a late failed", &failed, "completed"),
        ],
    )
    .await;

    let ended = terminate_ok(&app, &user.token, call_id).await;
    assert_eq!(ended["status"], "completed");
    assert_eq!(ended["duration"], 42);
    let call = status_of(&app, &user.token, call_id).await;
    assert_eq!(call["status"], "completed");
    assert_eq!(call["duration"], 42);
    twilio.verify().await;
}

async fn sdk_flow_links_the_browser_call_and_hangs_up(app: TestApp) {
    let twilio = MockServer::start().await;
    let parent = call_sid();
    let child = call_sid();
    // Hung up with the API key: configured, it authenticates every REST request.
    Mock::given(method("POST"))
        .and(path(call_path(&parent)))
        .and(basic_auth(API_KEY_SID, API_KEY_SECRET))
        .and(body_string_contains("Status=completed"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sid": parent })))
        .expect(1)
        .mount(&twilio)
        .await;
    // The browser places the call: we never create one.
    expect_no_post(&twilio, calls_path()).await;
    let app = twilio_app(&app, &twilio, true).await;
    let user = app.new_user().await;

    let started = initiate_ok(&app, &user.token, NUMBER).await;
    assert_eq!(started["status"], "connecting");
    assert!(started["session_id"].is_null(), "{started}");
    assert!(
        started["voice_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    let call_id = call_id(&started);

    let token = app
        .post_json_authed("/api/voice/token", &user.token, &json!({}))
        .await;
    assert_eq!(token.status(), StatusCode::OK);
    let token: Value = token.json().await.expect("json");
    let identity = token["identity"].as_str().expect("identity").to_owned();
    assert_eq!(identity, format!("user_{}", user.id.replace('-', "")));
    assert!(token["token"].as_str().is_some_and(|t| !t.is_empty()));

    // The browser dials; Twilio asks our TwiML webhook.
    let caller = format!("client:{identity}");
    let dialled: [(&str, &str); 4] = [
        ("CallSid", parent.as_str()),
        ("From", &caller),
        ("To", NUMBER),
        ("Direction", "inbound"),
    ];
    let response = twiml(&app, &dialled).await;
    assert_eq!(response.status(), StatusCode::OK);
    let document = response.text().await.expect("TwiML");
    for expected in [
        format!("callerId=\"{FROM_NUMBER}\""),
        format!(">{NUMBER}</Number>"),
        format!("statusCallback=\"{PUBLIC_BASE_URL}/api/voice/status?call_id={call_id}\""),
    ] {
        assert!(document.contains(&expected), "{expected} in {document}");
    }
    // Twilio retries the same request: the same answer.
    let again = twiml(&app, &dialled).await;
    assert_eq!(again.text().await.expect("TwiML"), document);

    // The dialled leg reports with its own SID and the parent's.
    let leg = |status: &'static str| {
        [
            ("CallSid", child.as_str()),
            ("ParentCallSid", parent.as_str()),
            ("CallStatus", status),
        ]
    };
    let in_progress = leg("in-progress");
    report_in_turn(
        &app,
        &user.token,
        call_id,
        &[("the leg in progress", &in_progress, "active")],
    )
    .await;

    // Terminated through another instance: the session is in the database.
    let other = twilio_app(&app, &twilio, true).await;
    let ended = terminate_ok(&other, &user.token, call_id).await;
    assert_eq!(ended["status"], "completed");
    // Twilio's own measurement arrives afterwards and is the one kept.
    let [sid, parent_sid, status] = leg("completed");
    report(&app, &[sid, parent_sid, status, ("CallDuration", "17")]).await;
    let call = status_of(&app, &user.token, call_id).await;
    assert_eq!(call["status"], "completed");
    assert_eq!(call["duration"], 17);
    let again = terminate_ok(&app, &user.token, call_id).await;
    assert_eq!(again["duration"], 17, "idempotent, no second hang-up");
    twilio.verify().await;
}

async fn the_browser_may_dial_only_what_it_initiated(app: TestApp) {
    let twilio = MockServer::start().await;
    let app = twilio_app(&app, &twilio, true).await;
    let user = app.new_user().await;
    let identity = format!("client:user_{}", user.id.replace('-', ""));
    let refused = |document: &str| document.contains("<Hangup/>") && !document.contains("<Dial");

    // Nothing initiated yet.
    let response = twiml(
        &app,
        &[
            ("CallSid", &call_sid()),
            ("From", &identity),
            ("To", NUMBER),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(refused(&response.text().await.expect("TwiML")));

    let started = initiate_ok(&app, &user.token, NUMBER).await;
    for (from, to) in [
        (identity.as_str(), "+33142685300"), // another number than initiated
        (identity.as_str(), "+19005550123"), // a blocked premium-rate number
        ("client:someone_else", NUMBER),     // not one of our users
        ("+14155550199", NUMBER),            // a phone, not a browser
        (identity.as_str(), "<Dial>+1</Dial>"), // not a number at all
    ] {
        let response = twiml(
            &app,
            &[("CallSid", &call_sid()), ("From", from), ("To", to)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{from} -> {to}");
        let document = response.text().await.expect("TwiML");
        assert!(refused(&document), "{from} -> {to}: {document}");
        assert!(
            !document.contains("<Dial>+1"),
            "{from} -> {to}: input is never echoed: {document}"
        );
    }
    let call = status_of(&app, &user.token, call_id(&started)).await;
    assert_eq!(
        call["status"], "connecting",
        "refusals leave the pending call alone"
    );
}

async fn unsigned_or_missigned_webhooks_are_403(app: TestApp) {
    let twilio = MockServer::start().await;
    let sid = call_sid();
    create_calls_answer(
        &twilio,
        ResponseTemplate::new(201).set_body_json(json!({ "sid": sid })),
    )
    .await;
    let app = twilio_app(&app, &twilio, false).await;
    let user = app.new_user().await;
    let started = initiate_ok(&app, &user.token, NUMBER).await;
    let call_id = call_id(&started);

    let params = [
        ("CallSid", sid.as_str()),
        ("CallStatus", "completed"),
        ("CallDuration", "999"),
    ];
    let public_status = format!("{PUBLIC_BASE_URL}/api/voice/status");
    let signatures = [
        (
            "signed with another token",
            signature::compute("not-the-auth-token", &public_status, &params),
        ),
        (
            "signed over other parameters",
            signature::compute(
                AUTH_TOKEN,
                &public_status,
                &[("CallSid", sid.as_str()), ("CallStatus", "ringing")],
            ),
        ),
        ("not signed", String::new()),
    ];
    for (what, signature) in &signatures {
        for path in ["/api/voice/status", "/api/voice/twiml"] {
            let response = app.post_form(path, Some(signature.as_str()), &params).await;
            let case = format!("{path} {what}");
            assert_case_error(&case, response, StatusCode::FORBIDDEN, "invalid_signature").await;
        }
    }
    // Signed for the server's own address instead of the public one.
    let local = signature::compute(AUTH_TOKEN, &app.url("/api/voice/status"), &params);
    let response = app
        .post_form("/api/voice/status", Some(local.as_str()), &params)
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "invalid_signature").await;

    let call = status_of(&app, &user.token, call_id).await;
    assert_eq!(call["status"], "connecting", "nothing changed");
    assert_eq!(call["duration"], 0);
}

/// Initiating answers 503 `voip_unavailable`.
async fn assert_voip_unavailable(app: &TestApp, token: &str, case: &str) {
    let response = initiate(app, token, NUMBER).await;
    let (status, code) = (StatusCode::SERVICE_UNAVAILABLE, "voip_unavailable");
    assert_case_error(case, response, status, code).await;
}

async fn a_twilio_outage_fails_the_call_with_503(app: TestApp) {
    let twilio = MockServer::start().await;
    create_calls_answer(&twilio, ResponseTemplate::new(503)).await;
    let app = twilio_app(&app, &twilio, false).await;
    let user = app.new_user().await;

    assert_voip_unavailable(&app, &user.token, "the first attempt").await;
    let history = all_calls(&app, &user.token).await;
    let calls = history["calls"].as_array().expect("calls");
    assert_eq!(calls.len(), 1, "the attempt is recorded");
    assert_eq!(calls[0]["status"], "failed", "never left connecting");
    // The failed attempt does not hold the line.
    assert_voip_unavailable(&app, &user.token, "the second attempt").await;

    // Geo permissions refused by Twilio are the contract's 403.
    twilio.reset().await;
    create_calls_answer(
        &twilio,
        ResponseTemplate::new(400).set_body_json(json!({
            "code": 21215, "message": "Account not authorized to call +4930901820", "status": 400
        })),
    )
    .await;
    assert_error(
        initiate(&app, &user.token, NUMBER).await,
        StatusCode::FORBIDDEN,
        "destination_not_allowed",
    )
    .await;
}
