//! `GET /api/calls/history`: every invalid query parameter is a 400 `validation_error` that
//! names it; valid edge values are accepted.

use base64::Engine as _;
use calls_core::domain::CallStatus;
use reqwest::StatusCode;
use serde_json::json;

use crate::assertions::{assert_case_error, assert_invalid, message_of};
use crate::helpers::TestApp;
use crate::history_support::{history_ok, history_raw};
use crate::on_all_backends;
use crate::raw_http::raw_get;
use crate::seeding::Seeder;

on_all_backends!(
    invalid_parameters_are_400_naming_the_parameter,
    malformed_query_strings_are_400,
    largest_url_values_are_json_400,
    valid_edge_values_are_accepted,
    a_logged_out_token_is_401_before_the_parameters_are_checked,
);

fn cursor_of(raw: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

async fn assert_refused(app: &TestApp, token: &str, query: &str, names: &str) {
    let response = history_raw(app, token, query).await;
    let body = assert_invalid(query, response, names).await;
    assert!(
        !message_of(&body).contains('\0'),
        "{query}: message echoes a NUL byte"
    );
}

async fn invalid_parameters_are_400_naming_the_parameter(app: TestApp) {
    let user = app.new_user().await;
    let nil = "00000000-0000-0000-0000-000000000000";
    let forged_cursors = [
        "bogus".to_owned(),
        "%25%25%25".to_owned(),
        "djE".to_owned(),
        cursor_of("v1|abc|x|2"),
        cursor_of(&format!("v2|1|{nil}|2")),
        cursor_of(&format!("v1|1|{nil}|1")),
        cursor_of(&format!("v1|1|{nil}|0")),
        cursor_of(&format!("v1|1|{nil}|2|extra")),
        cursor_of("v1|1|not-a-uuid|2"),
        cursor_of(&format!("v1|99999999999999999999|{nil}|2")),
        format!("{}==", cursor_of(&format!("v1|1|{nil}|2"))),
        "A".repeat(500),
    ];
    let mut cases: Vec<(String, &str)> = Vec::new();
    for page in [
        "0",
        "-1",
        "abc",
        "1.5",
        "",
        "%2B1",
        "%201",
        "1%00",
        "0x10",
        "1e3",
        "%EF%BC%91",
        "1000001",
        "4294967296",
        "99999999999999999999",
    ] {
        cases.push((format!("page={page}"), "page"));
    }
    for limit in ["0", "101", "-5", "abc", "", "10.0", "1e2", "1000", "limit"] {
        cases.push((format!("limit={limit}"), "limit"));
    }
    for name in ["date_from", "date_to"] {
        for value in [
            "2026-01-15",
            "2026-01-15T10:00:00",
            // An unencoded `+` is a space in a query string.
            "2026-01-15T11:00:00+01:00",
            "2026-01-15T10:00Z",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-15T24:00:00Z",
            "2026-01-15T10:00:00%2B24:00",
            "yesterday",
            "1736935200",
            "",
            "2026-01-15T10:00:00Z%00",
        ] {
            cases.push((format!("{name}={value}"), name));
        }
    }
    cases.push((
        "date_from=2026-01-15T10:00:01Z&date_to=2026-01-15T10:00:00Z".to_owned(),
        "date_from",
    ));
    // Textually in order, but 10:00-01:00 is 11:00Z, after 10:30Z.
    cases.push((
        "date_from=2026-01-15T10:00:00-01:00&date_to=2026-01-15T10:30:00Z".to_owned(),
        "date_from",
    ));
    for status in [
        "ringing",
        "Completed",
        "cancelled",
        "",
        "completed%00",
        "%20completed",
        "completed,failed",
    ] {
        cases.push((format!("status={status}"), "status"));
    }
    for tz in [
        "Mars/Olympus",
        "%2B01:00",
        "CEST",
        "",
        "UTC%00",
        "..%2F..%2Fetc%2Fpasswd",
        "Europe%2FBerlin%2F",
    ] {
        cases.push((format!("tz={tz}"), "tz"));
    }
    for cursor in &forged_cursors {
        cases.push((format!("cursor={cursor}"), "cursor"));
    }
    cases.push(("cursor=".to_owned(), "cursor"));
    for (query, names) in &cases {
        assert_refused(&app, &user.token, query, names).await;
    }
}

async fn malformed_query_strings_are_400(app: TestApp) {
    let user = app.new_user().await;
    for (query, names) in [
        ("page=1&page=1", "page"),
        ("page=1&page=2", "page"),
        ("limit=10&limit=20", "limit"),
        ("status=completed&status=failed", "status"),
        ("tz=UTC&tz=Europe%2FBerlin", "tz"),
        (
            "date_from=2026-01-15T10:00:00Z&date_from=2026-01-16T10:00:00Z",
            "date_from",
        ),
        ("status=%FF", "status"),
        ("tz=%C3%28", "tz"),
    ] {
        assert_refused(&app, &user.token, query, names).await;
    }
}

/// The largest values the application itself sees (the `http` crate refuses request targets over
/// 65534 bytes before the application runs: `raw_http` tests those 100 KB ones) are refused by
/// the query extractor with a message about the query string. Bodies of 100 KB are covered by
/// the 413 tests.
async fn largest_url_values_are_json_400(app: TestApp) {
    let user = app.new_user().await;
    for name in ["tz", "cursor", "date_from", "status"] {
        let target = format!("/api/calls/history?{name}={}", "A".repeat(60 * 1024));
        assert_json_400(&app, &user.token, target, &format!("60 KB {name}")).await;
    }
}

async fn assert_json_400(app: &TestApp, token: &str, target: String, what: &str) {
    let answer = raw_get(app, &target, token).await;
    assert_eq!(answer.status, 400, "{what}");
    let body = answer.error(what);
    assert_eq!(body["error"], "validation_error", "{what}");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("query string") && message.len() < 200,
        "{what}: {message}"
    );
}

async fn valid_edge_values_are_accepted(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    seeder
        .at("2026-01-15T10:00:00Z", CallStatus::Completed, 5)
        .await;
    for params in [
        vec![("page", "1"), ("limit", "1")],
        vec![("page", "01"), ("limit", "100")],
        vec![("page", "1000000"), ("limit", "100")],
        vec![
            ("date_from", "2026-01-15T10:00:00Z"),
            ("date_to", "2026-01-15T10:00:00Z"),
        ],
        vec![("date_from", "2026-01-15 10:00:00Z")],
        vec![("date_to", "2026-01-15T10:00:00.123456789Z")],
        vec![("tz", "UTC"), ("status", "completed")],
        vec![("tz", "Pacific/Chatham")],
    ] {
        let body = history_ok(&app, &user.token, &params).await;
        let page = params
            .iter()
            .find(|(name, _)| *name == "page")
            .map_or("1", |(_, value)| value);
        let expected_calls = usize::from(page.trim_start_matches('0') == "1");
        assert_eq!(
            body["calls"].as_array().map(Vec::len),
            Some(expected_calls),
            "{params:?}: {body}"
        );
        assert_eq!(body["total"], json!(1), "{params:?}");
    }
}

/// The history route checks the revocation in the same snapshot as the page, and the
/// parameters before that; a logged-out token must still be 401 first, as on every protected
/// route, whatever the parameters.
async fn a_logged_out_token_is_401_before_the_parameters_are_checked(app: TestApp) {
    let user = app.new_user().await;
    let logout = app.logout(&user.token).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    for query in [
        "",
        "page=0",
        "limit=1000",
        "page=1&page=2",
        "tz=Nowhere/City",
    ] {
        let response = history_raw(&app, &user.token, query).await;
        let case = format!("logged out, {query:?}");
        assert_case_error(&case, response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    // A live token with the same bad parameters gets the 400.
    let other = app.new_user().await;
    let response = history_raw(&app, &other.token, "page=0").await;
    assert_invalid("live, page=0", response, "page").await;
}
