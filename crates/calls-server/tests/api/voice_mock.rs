//! `POST /api/calls/initiate` and `/api/calls/terminate` with the mock provider, end to end:
//! the contract bodies, idempotent termination, another instance, ownership, the toll-fraud
//! guard and the reaper.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::assertions::{
    assert_case_error, assert_error, assert_invalid, assert_method_not_allowed, keys, message_of,
};
use crate::helpers::TestApp;
use crate::history_support::{all_calls, history_total, item, wait_for_status};
use crate::on_all_backends;
use crate::voice_support::{
    NUMBER, assert_daily_cap_reached, call_id, initiate, initiate_ok, place_and_end_call,
    terminate, terminate_ok,
};

on_all_backends!(
    initiate_answers_the_contract_body,
    terminate_completes_the_call_once,
    a_call_is_terminated_through_another_instance,
    only_the_owner_can_terminate,
    bad_terminate_bodies_are_400,
    refused_destinations_are_403_and_write_nothing,
    premium_rate_ranges_are_blocked_by_default,
    one_call_at_a_time,
    the_daily_cap_is_429,
    invalid_numbers_are_400_and_write_nothing,
    voice_routes_require_a_token,
    mock_has_no_browser_token_nor_webhooks,
    unsigned_webhooks_are_403_whatever_the_provider,
    the_reaper_fails_calls_stuck_connecting,
);

/// A status callback as a provider would send it.
const COMPLETED: [(&str, &str); 2] = [("CallSid", "CA1"), ("CallStatus", "completed")];

async fn initiate_answers_the_contract_body(app: TestApp) {
    let user = app.new_user().await;
    let body = initiate_ok(&app, &user.token, NUMBER).await;
    assert_eq!(
        keys(&body),
        BTreeSet::from(["call_id", "session_id", "sdp_offer", "status", "start_time"]),
        "no voice_token with the mock provider: {body}"
    );
    assert_eq!(body["status"], "connecting");
    let session = body["session_id"].as_str().expect("session id");
    assert!(session.starts_with("MK"), "{session}");
    let sdp = body["sdp_offer"].as_str().expect("sdp offer");
    for line in ["v=0", "o=", "s=", "t=", "m=audio", "c=IN"] {
        assert!(sdp.contains(line), "SDP has {line}: {sdp}");
    }
    chrono::DateTime::parse_from_rfc3339(body["start_time"].as_str().expect("start_time"))
        .expect("RFC 3339 start time");

    let history = all_calls(&app, &user.token).await;
    let call = item(&history, body["call_id"].as_str().expect("call id"));
    assert_eq!(call["status"], "connecting");
    assert_eq!(call["phoneNumber"], NUMBER);
}

async fn terminate_completes_the_call_once(app: TestApp) {
    let user = app.new_user().await;
    let started = initiate_ok(&app, &user.token, NUMBER).await;
    let call_id = call_id(&started);
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let ended = terminate_ok(&app, &user.token, call_id).await;
    assert_eq!(
        keys(&ended),
        BTreeSet::from(["call_id", "duration", "status"])
    );
    assert_eq!(ended["call_id"], call_id);
    assert_eq!(ended["status"], "completed");
    let duration = ended["duration"].as_u64().expect("duration");
    assert!(
        (1..=30).contains(&duration),
        "seconds since start: {duration}"
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = terminate_ok(&app, &user.token, call_id).await;
    assert_eq!(again, ended, "terminating again returns the stored values");

    let history = all_calls(&app, &user.token).await;
    let call = item(&history, call_id);
    assert_eq!(call["status"], "completed");
    assert_eq!(call["duration"], duration);

    // The line is free again.
    initiate_ok(&app, &user.token, NUMBER).await;
}

async fn a_call_is_terminated_through_another_instance(app: TestApp) {
    let user = app.new_user().await;
    let started = initiate_ok(&app, &user.token, NUMBER).await;
    let call_id = call_id(&started);

    let other = app.another_instance().await;
    let ended = terminate_ok(&other, &user.token, call_id).await;
    assert_eq!(ended["status"], "completed");
    let seen_by_first = terminate_ok(&app, &user.token, call_id).await;
    assert_eq!(seen_by_first, ended);
}

async fn only_the_owner_can_terminate(app: TestApp) {
    let alice = app.new_user().await;
    let mallory = app.new_user().await;
    let started = initiate_ok(&app, &alice.token, NUMBER).await;
    let call_id = call_id(&started);

    assert_error(
        terminate(&app, &mallory.token, call_id).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        terminate(&app, &alice.token, &uuid::Uuid::new_v4().to_string()).await,
        StatusCode::NOT_FOUND,
        "call_not_found",
    )
    .await;
    let history = all_calls(&app, &alice.token).await;
    assert_eq!(
        item(&history, call_id)["status"],
        "connecting",
        "a refused terminate changes nothing"
    );
}

async fn bad_terminate_bodies_are_400(app: TestApp) {
    let user = app.new_user().await;
    for (body, field) in [
        (json!({ "call_id": "not-a-uuid" }), "call_id"),
        (json!({ "call_id": 42 }), "call_id"),
        (json!({}), "call_id"),
    ] {
        let response = app
            .post_json_authed("/api/calls/terminate", &user.token, &body)
            .await;
        assert_invalid(&body.to_string(), response, field).await;
    }
}

async fn refused_destinations_are_403_and_write_nothing(app: TestApp) {
    let app = app
        .another_instance_with(|settings| {
            settings.voip.allowed_countries = vec!["FR".into(), "DE".into()];
            settings.voip.blocked_prefixes = vec!["+49301".into()];
        })
        .await;
    let user = app.new_user().await;
    for number in ["+442071838750", "+4930123456"] {
        let error = assert_case_error(
            number,
            initiate(&app, &user.token, number).await,
            StatusCode::FORBIDDEN,
            "destination_not_allowed",
        )
        .await;
        assert!(
            !message_of(&error).contains(number),
            "{number}: the number is not echoed: {error}"
        );
    }
    assert_eq!(history_total(&app, &user.token).await, 0);
    initiate_ok(&app, &user.token, "+33142685300").await;
}

async fn premium_rate_ranges_are_blocked_by_default(app: TestApp) {
    let user = app.new_user().await;
    assert_error(
        initiate(&app, &user.token, "+19005550123").await,
        StatusCode::FORBIDDEN,
        "destination_not_allowed",
    )
    .await;
    assert_eq!(history_total(&app, &user.token).await, 0);
}

async fn one_call_at_a_time(app: TestApp) {
    let user = app.new_user().await;
    let first = initiate_ok(&app, &user.token, NUMBER).await;
    assert_error(
        initiate(&app, &user.token, NUMBER).await,
        StatusCode::CONFLICT,
        "call_in_progress",
    )
    .await;
    assert_eq!(
        history_total(&app, &user.token).await,
        1,
        "the refusal wrote nothing"
    );

    // Another user is not affected.
    let other = app.new_user().await;
    initiate_ok(&app, &other.token, NUMBER).await;

    terminate_ok(&app, &user.token, call_id(&first)).await;
    initiate_ok(&app, &user.token, NUMBER).await;
}

async fn the_daily_cap_is_429(app: TestApp) {
    let app = app
        .another_instance_with(|settings| settings.voip.max_calls_per_day = 2)
        .await;
    let user = app.new_user().await;
    for _ in 0..2 {
        place_and_end_call(&app, &user.token).await;
    }
    assert_daily_cap_reached(&app, &user.token).await;
    assert_eq!(history_total(&app, &user.token).await, 2);
}

async fn invalid_numbers_are_400_and_write_nothing(app: TestApp) {
    let user = app.new_user().await;
    for number in ["", "4930901820", "+10000000000", "+49 30 901820x", "+1234"] {
        assert_case_error(
            &format!("{number:?}"),
            initiate(&app, &user.token, number).await,
            StatusCode::BAD_REQUEST,
            "validation_error",
        )
        .await;
    }
    let response = app
        .post_json_authed(
            "/api/calls/initiate",
            &user.token,
            &json!({ "phone_number": 4930 }),
        )
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "validation_error").await;
    assert_eq!(history_total(&app, &user.token).await, 0);
}

async fn voice_routes_require_a_token(app: TestApp) {
    for path in [
        "/api/calls/initiate",
        "/api/calls/terminate",
        "/api/voice/token",
    ] {
        let response = app
            .post_json(path, &json!({ "phone_number": NUMBER }))
            .await;
        assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let response = app.get("/api/calls/initiate").await;
    assert_method_not_allowed(response, "POST").await;
}

async fn mock_has_no_browser_token_nor_webhooks(app: TestApp) {
    let user = app.new_user().await;
    let response = app
        .post_json_authed("/api/voice/token", &user.token, &json!({}))
        .await;
    assert_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "voice_not_configured",
    )
    .await;
    for path in ["/api/voice/status", "/api/voice/twiml"] {
        let signature = Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        let response = app.post_form(path, signature, &COMPLETED).await;
        assert_error(
            response,
            StatusCode::SERVICE_UNAVAILABLE,
            "voice_not_configured",
        )
        .await;
    }
}

/// Found by schemathesis (`missing_required_header`): a webhook without `X-Twilio-Signature`
/// is the caller's fault, so it is 403 `invalid_signature` even when the provider is not
/// Twilio (it used to be 503 `voice_not_configured`).
async fn unsigned_webhooks_are_403_whatever_the_provider(app: TestApp) {
    for signature in [None, Some(""), Some("  ")] {
        let posts: [(&str, &[(&str, &str)]); 2] = [
            ("/api/voice/status", &COMPLETED),
            ("/api/voice/twiml", &[("CallSid", "CA1")]),
        ];
        for (path, params) in posts {
            let response = app.post_form(path, signature, params).await;
            let case = format!("POST {path} signed {signature:?}");
            assert_case_error(&case, response, StatusCode::FORBIDDEN, "invalid_signature").await;
        }
        let headers: Vec<(&str, &str)> = signature
            .map(|signature| ("X-Twilio-Signature", signature))
            .into_iter()
            .collect();
        let response = app
            .call_with_headers(Method::GET, "/api/voice/twiml?CallSid=CA1", &headers)
            .await;
        let case = format!("GET /api/voice/twiml signed {signature:?}");
        assert_case_error(&case, response, StatusCode::FORBIDDEN, "invalid_signature").await;
    }
}

async fn the_reaper_fails_calls_stuck_connecting(app: TestApp) {
    let app = app
        .another_instance_with(|settings| {
            settings.voip.reaper.interval_secs = 1;
            settings.voip.reaper.connecting_timeout_secs = 1;
        })
        .await;
    let user = app.new_user().await;
    let started = initiate_ok(&app, &user.token, NUMBER).await;
    let call_id = call_id(&started);

    let status = wait_for_status(&app, &user.token, call_id, "failed").await;
    assert_eq!(
        status, "failed",
        "a call stuck connecting is failed by the reaper"
    );
    // It no longer holds the user's line, and terminating it changes nothing.
    let ended = terminate_ok(&app, &user.token, call_id).await;
    assert_eq!(ended["status"], "failed");
    initiate_ok(&app, &user.token, NUMBER).await;
}
