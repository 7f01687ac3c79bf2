//! Shared by the calls and history tests: history requests, and the response-shape checks.
//! (Calls with chosen start times are seeded by `seeding.rs`.)

use std::collections::BTreeSet;

use calls_core::domain::CallStatus;
use chrono::DateTime;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `GET /api/calls/history?<raw>` exactly as written.
pub async fn history_raw(app: &TestApp, token: &str, raw_query: &str) -> Response {
    let path = if raw_query.is_empty() {
        "/api/calls/history".to_owned()
    } else {
        format!("/api/calls/history?{raw_query}")
    };
    app.get_authed(&path, token).await
}

/// A history request that must succeed; checks the response shape and returns the body.
pub async fn history_ok(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Value {
    let response = history_raw(app, token, &query_string(params)).await;
    assert_eq!(response.status(), StatusCode::OK, "history {params:?}");
    let body: Value = response.json().await.expect("json");
    assert_history_shape(&body);
    body
}

/// Exactly `calls,total,page,limit` (+ `next_cursor` only as a non-empty string), each item
/// exactly `callId,phoneNumber,startTime,duration,status` with the right types.
pub fn assert_history_shape(body: &Value) {
    let object = body.as_object().expect("history is an object");
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    let base = BTreeSet::from(["calls", "limit", "page", "total"]);
    let with_cursor = BTreeSet::from(["calls", "limit", "next_cursor", "page", "total"]);
    assert!(keys == base || keys == with_cursor, "history keys {keys:?}");
    if let Some(cursor) = object.get("next_cursor") {
        assert!(
            cursor.as_str().is_some_and(|c| !c.is_empty()),
            "next_cursor {cursor}"
        );
    }
    assert!(
        body["total"].is_u64() && body["page"].is_u64() && body["limit"].is_u64(),
        "{body}"
    );
    for item in body["calls"].as_array().expect("calls array") {
        let keys: BTreeSet<&str> = item
            .as_object()
            .expect("item object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["callId", "duration", "phoneNumber", "startTime", "status"]),
            "{item}"
        );
        assert!(
            item["callId"]
                .as_str()
                .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()),
            "{item}"
        );
        assert!(
            item["phoneNumber"].is_string() && item["duration"].is_u64(),
            "{item}"
        );
        let start = item["startTime"].as_str().expect("startTime string");
        assert!(
            DateTime::parse_from_rfc3339(start).is_ok(),
            "startTime {start}"
        );
        let status = item["status"].as_str().expect("status string");
        assert!(status.parse::<CallStatus>().is_ok(), "status {status}");
    }
}

pub fn ids(body: &Value) -> Vec<String> {
    body["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| c["callId"].as_str().expect("callId").to_owned())
        .collect()
}

/// What a history page with no call on it is, for a user whose filters match nothing (or who
/// has no call at all): no cursor, the default limit.
pub fn empty_page(page: u32) -> Value {
    json!({ "calls": [], "total": 0, "page": page, "limit": 20 })
}

/// The one history item with this id, from a page holding all of the user's calls.
pub fn item<'a>(body: &'a Value, id: &str) -> &'a Value {
    let items = body["calls"].as_array().expect("calls");
    let found: Vec<&Value> = items.iter().filter(|c| c["callId"] == id).collect();
    assert_eq!(found.len(), 1, "call {id} listed once in {body}");
    found[0]
}

/// Polls the history (every 200 ms, for up to 10 s) until the call `id` has `status`, as a
/// background job must bring it there; returns the last status seen, for the test to assert.
pub async fn wait_for_status(app: &TestApp, token: &str, id: &str, status: &str) -> Value {
    let mut seen = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        seen = item(&all_calls(app, token).await, id)["status"].clone();
        if seen == status {
            break;
        }
    }
    seen
}

/// The user's whole history (up to 100 calls) as one page.
pub async fn all_calls(app: &TestApp, token: &str) -> Value {
    history_ok(app, token, &[("limit", "100")]).await
}

pub async fn history_total(app: &TestApp, token: &str) -> u64 {
    all_calls(app, token).await["total"]
        .as_u64()
        .expect("total")
}
