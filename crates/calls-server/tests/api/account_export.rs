//! `GET /api/account/export`: the account and every call, streamed in pages (3 calls per page
//! here, so that a few calls cross several page boundaries).

use std::collections::BTreeSet;

use calls_core::domain::{CallId, CallStatus};
use calls_server::settings::Settings;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assertions::{assert_error, header, keys};
use crate::fixtures::{NUMBER, create_call};
use crate::helpers::TestApp;
use crate::on_all_backends;
use crate::seeding::{Seeder, at};

const EXPORT: &str = "/api/account/export";

fn small_pages(settings: &mut Settings) {
    settings.export.page_size = 3;
}

on_all_backends!(with small_pages:
    an_account_without_calls_exports_its_profile_and_no_calls,
    every_call_is_exported_once_newest_first_across_pages,
    another_users_calls_are_never_exported,
    the_export_needs_a_live_session,
);

const CALL_FIELDS: [&str; 13] = [
    "id",
    "phone_number",
    "country",
    "start_time",
    "created_at",
    "ended_at",
    "duration",
    "status",
    "session_id",
    "dialled_session_id",
    "sdp_offer",
    "sdp_answer",
    "failure_reason",
];

/// The export of `token`, checked for the headers every export carries.
async fn export(app: &TestApp, token: &str) -> Value {
    let response = app.get_authed(EXPORT, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
    let disposition = header(&response, "content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"calls-platform-export-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    let bytes = response.bytes().await.expect("the whole body");
    serde_json::from_slice(&bytes).expect("the body is one JSON document")
}

fn ids(document: &Value) -> Vec<String> {
    document["calls"]
        .as_array()
        .expect("calls is an array")
        .iter()
        .map(|call| call["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn an_account_without_calls_exports_its_profile_and_no_calls(app: TestApp) {
    let user = app.new_user().await;
    let document = export(&app, &user.token).await;
    assert_eq!(
        keys(&document),
        BTreeSet::from(["format", "exported_at", "profile", "calls"])
    );
    assert_eq!(document["format"], "calls-platform-export/1");
    assert_eq!(document["calls"], json!([]));
    let profile = &document["profile"];
    assert_eq!(
        keys(profile),
        BTreeSet::from(["id", "email", "created_at"]),
        "never the password hash"
    );
    assert_eq!(profile["id"], user.id.as_str());
    assert_eq!(profile["email"], user.email.as_str());
    let created = profile["created_at"].as_str().expect("created_at");
    assert!(created.ends_with('Z'), "UTC: {created}");
    let text = document.to_string();
    assert!(!text.contains("argon2"), "no hash anywhere: {text}");
}

async fn every_call_is_exported_once_newest_first_across_pages(app: TestApp) {
    let user = app.new_user().await;
    // A call through the API: stored as the server stores calls (country, created_at).
    let live = create_call(&app, &user.token, NUMBER).await;
    // Seven more in the past, two sharing a start time (ordered by id), in several statuses.
    let seeder = Seeder::new(&app, &user).await;
    let tie = at("2026-01-02T10:00:00.000123Z");
    let (low, high) = {
        let (a, b) = (CallId::new(), CallId::new());
        if a.to_string() < b.to_string() {
            (a, b)
        } else {
            (b, a)
        }
    };
    let older = [
        seeder
            .call_with_id(high, tie, CallStatus::Completed, 61)
            .await,
        seeder.call_with_id(low, tie, CallStatus::Failed, 0).await,
        seeder
            .at("2026-01-01T09:00:00Z", CallStatus::Canceled, 0)
            .await,
        seeder
            .at("2025-12-31T23:59:59Z", CallStatus::Active, 5)
            .await,
        seeder
            .at("2025-06-01T00:00:00Z", CallStatus::Completed, 7)
            .await,
        seeder
            .at("2025-01-01T00:00:00Z", CallStatus::Initiated, 0)
            .await,
        seeder
            .at("2024-01-01T00:00:00Z", CallStatus::Completed, 9)
            .await,
    ];
    let document = export(&app, &user.token).await;
    let mut expected = vec![live.clone()];
    expected.extend(older.iter().map(|seeded| seeded.id.to_string()));
    assert_eq!(
        ids(&document),
        expected,
        "8 calls over 3 pages: each once, newest first, ties by id (descending)"
    );

    let calls = document["calls"].as_array().expect("calls");
    for call in calls {
        assert_eq!(keys(call), BTreeSet::from(CALL_FIELDS), "{call}");
        for field in ["start_time", "created_at", "ended_at"] {
            if let Some(time) = call[field].as_str() {
                assert!(time.ends_with('Z'), "{field} in UTC: {time}");
            }
        }
    }
    let newest = &calls[0];
    assert_eq!(newest["phone_number"], NUMBER);
    assert_eq!(newest["country"], "DE");
    assert_eq!(newest["status"], "initiated");
    assert_eq!(newest["duration"], 0);
    assert!(newest["created_at"].is_string(), "stamped by the database");
    let completed = &calls[1];
    assert_eq!(completed["start_time"], "2026-01-02T10:00:00.000123Z");
    assert_eq!(completed["status"], "completed");
    assert_eq!(completed["duration"], 61);
    assert!(
        completed["ended_at"].is_string(),
        "a finished call has ended"
    );
    assert_eq!(calls[4]["status"], "active");
    assert_eq!(calls[4]["ended_at"], Value::Null);
}

async fn another_users_calls_are_never_exported(app: TestApp) {
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let seeder = Seeder::new(&app, &alice).await;
    let own: Vec<String> = seeder
        .many(at("2026-03-01T12:00:00Z"), 4)
        .await
        .iter()
        .map(|seeded| seeded.id.to_string())
        .collect();
    let theirs = seeder
        .for_user(&bob)
        .many(at("2026-03-01T12:00:02Z"), 5)
        .await;

    let document = export(&app, &alice.token).await;
    assert_eq!(ids(&document), own);
    assert_eq!(document["profile"]["email"], alice.email.as_str());
    let bobs = export(&app, &bob.token).await;
    assert_eq!(ids(&bobs).len(), theirs.len());
    assert!(ids(&bobs).iter().all(|id| !own.contains(id)));
}

async fn the_export_needs_a_live_session(app: TestApp) {
    let response = app.get(EXPORT).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let response = app.get_authed(EXPORT, "not.a.token").await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let user = app.new_user().await;
    create_call(&app, &user.token, NUMBER).await;
    assert_eq!(
        app.logout(&user.token).await.status(),
        StatusCode::NO_CONTENT
    );
    let response = app.get_authed(EXPORT, &user.token).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}
