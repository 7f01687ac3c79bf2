//! `GET /api/calls/history`: the exact shape, the order, and that only the user's own calls are
//! listed. Calls are seeded through the storage ports with chosen start times.

use calls_core::domain::{CallId, CallStatus};
use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::history_support::{empty_page, history_ok, ids};
use crate::on_all_backends;
use crate::seeding::{SEEDED_NUMBER, Seeder, at, seeded_ids};

on_all_backends!(
    empty_history_has_the_exact_shape,
    items_have_the_exact_shape_and_values,
    newest_first_with_ties_broken_by_id,
    other_users_calls_never_appear,
);

async fn empty_history_has_the_exact_shape(app: TestApp) {
    let user = app.new_user().await;
    let body = history_ok(&app, &user.token, &[]).await;
    assert_eq!(body, empty_page(1));
}

async fn items_have_the_exact_shape_and_values(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let call = seeder
        .at("2026-03-04T05:06:07Z", CallStatus::Completed, 321)
        .await;
    let body = history_ok(&app, &user.token, &[]).await;
    assert_eq!(
        body,
        json!({
            "calls": [{
                "callId": call.id.to_string(),
                "phoneNumber": SEEDED_NUMBER,
                "startTime": "2026-03-04T05:06:07Z",
                "duration": 321,
                "status": "completed",
            }],
            "total": 1,
            "page": 1,
            "limit": 20,
        })
    );
}

async fn newest_first_with_ties_broken_by_id(app: TestApp) {
    let user = app.new_user().await;
    let seeder = Seeder::new(&app, &user).await;
    let tie = at("2026-05-01T12:00:00Z");
    // Seeded out of order; ids chosen so that the tie-break order is known.
    let low = CallId::from_uuid(
        uuid::Uuid::parse_str("00000000-0000-7000-8000-000000000001").expect("uuid"),
    );
    let high = CallId::from_uuid(
        uuid::Uuid::parse_str("ffffffff-ffff-7fff-bfff-ffffffffffff").expect("uuid"),
    );
    let calls = [
        (
            CallId::new(),
            at("2025-12-31T23:59:59Z"),
            CallStatus::Failed,
        ),
        (low, tie, CallStatus::Completed),
        (
            CallId::new(),
            at("2026-05-01T12:00:00.000001Z"),
            CallStatus::Active,
        ),
        (
            CallId::new(),
            at("2026-02-01T00:00:00Z"),
            CallStatus::Canceled,
        ),
        (high, tie, CallStatus::Completed),
    ];
    let mut seeded = Vec::new();
    // Durations 0 to 4, in the order seeded.
    for (duration, (id, start, status)) in (0..).zip(calls) {
        seeded.push(seeder.call_with_id(id, start, status, duration).await);
    }
    let [oldest, tie_low, newest, middle, tie_high] = seeded.try_into().expect("five calls");
    let body = history_ok(&app, &user.token, &[]).await;
    assert_eq!(
        ids(&body),
        seeded_ids(&[newest, tie_high, tie_low, middle, oldest])
    );
    assert_eq!(body["calls"][0]["startTime"], "2026-05-01T12:00:00.000001Z");
    assert_eq!(body["total"], json!(5));
}

async fn other_users_calls_never_appear(app: TestApp) {
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let alice_seeder = Seeder::new(&app, &alice).await;
    let bob_seeder = alice_seeder.for_user(&bob);
    let newest = at("2026-06-01T12:00:00Z");
    let mut alice_calls = Vec::new();
    for i in 0..12 {
        // Interleaved in time, with shared start times, so any leak would land inside a page.
        let start = newest - TimeDelta::minutes(i);
        alice_calls.push(alice_seeder.call(start, CallStatus::Completed, 1).await);
        for bob_start in [start, start - TimeDelta::seconds(30)] {
            bob_seeder.call(bob_start, CallStatus::Completed, 2).await;
        }
    }
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![("limit", "5")];
        if let Some(cursor) = &cursor {
            params.push(("cursor", cursor.as_str()));
        }
        let body = history_ok(&app, &alice.token, &params).await;
        assert_eq!(body["total"], json!(12));
        walked.extend(ids(&body));
        match body.get("next_cursor").and_then(Value::as_str) {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(walked, seeded_ids(&alice_calls));
    for status in ["completed", "active"] {
        let body = history_ok(&app, &alice.token, &[("status", status), ("limit", "100")]).await;
        assert!(ids(&body).iter().all(|id| walked.contains(id)), "{status}");
    }
    let bob_history = history_ok(&app, &bob.token, &[("limit", "100")]).await;
    assert_eq!(bob_history["total"], json!(24));
    assert!(ids(&bob_history).iter().all(|id| !walked.contains(id)));
}
