//! `PUT /api/calls/{id}`: the full status transition table through the API, ownership, and
//! racing updates.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assertions::{assert_case_error, message_of};
use crate::fixtures::{NUMBER, STATUSES, call_in, create_call, set_status, update_call};
use crate::helpers::TestApp;
use crate::history_support::{all_calls, ids, item};
use crate::on_all_backends;

on_all_backends!(
    every_transition_through_the_api,
    another_users_call_is_403_and_unchanged,
    racing_updates_never_move_a_call_backwards,
);

/// The contract's table, written out independently of the domain code: forward (or staying in
/// an unfinished status) only; a finished call never changes.
const ALLOWED: [[bool; 6]; 6] = [
    //   ini    con    act    com    fai    can
    [true, true, true, true, true, true],       // initiated
    [false, true, true, true, true, true],      // connecting
    [false, false, true, true, true, true],     // active
    [false, false, false, false, false, false], // completed
    [false, false, false, false, false, false], // failed
    [false, false, false, false, false, false], // canceled
];

async fn every_transition_through_the_api(app: TestApp) {
    let user = app.new_user().await;
    // (call id, from, to, allowed)
    let mut cases = Vec::new();
    for (from_index, from) in STATUSES.iter().enumerate() {
        for (to_index, to) in STATUSES.iter().enumerate() {
            // Every status is reachable from `initiated`; duration 3 marks the starting point.
            let id = call_in(&app, &user.token, from, 3).await;
            cases.push((id, *from, *to, ALLOWED[from_index][to_index]));
        }
    }
    for (id, from, to, allowed) in &cases {
        let case = format!("{from} -> {to}");
        let response = update_call(&app, &user.token, id, 7, to).await;
        if *allowed {
            assert_eq!(response.status(), StatusCode::OK, "{case} is allowed");
            let body: Value = response.json().await.expect("json");
            assert_eq!(
                body,
                json!({ "id": id, "duration": 7, "status": to }),
                "{case}"
            );
        } else {
            let body =
                assert_case_error(&case, response, StatusCode::CONFLICT, "invalid_transition")
                    .await;
            let message = message_of(&body);
            assert!(
                message.contains(from) && message.contains(to),
                "{case}: {message}"
            );
        }
    }
    // Refused moves changed nothing; allowed ones stored status and duration.
    let history = all_calls(&app, &user.token).await;
    assert_eq!(history["total"], json!(36));
    for (id, from, to, allowed) in &cases {
        let stored = item(&history, id);
        let (status, duration) = if *allowed { (*to, 7) } else { (*from, 3) };
        assert_eq!(stored["status"], status, "{from} -> {to}");
        assert_eq!(stored["duration"], json!(duration), "{from} -> {to}");
    }
}

async fn another_users_call_is_403_and_unchanged(app: TestApp) {
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let alice_live = create_call(&app, &alice.token, NUMBER).await;
    let alice_done = create_call(&app, &alice.token, "+14155552671").await;
    set_status(&app, &alice.token, &alice_done, "completed", 60).await;
    let bob_live = create_call(&app, &bob.token, "+442079460958").await;

    for (intruder, victim_call) in [
        (&bob, &alice_live),
        (&bob, &alice_done),
        (&alice, &bob_live),
    ] {
        for status in ["initiated", "active", "completed", "canceled"] {
            let case = format!("{} to {status}", intruder.email);
            let response = update_call(&app, &intruder.token, victim_call, 99, status).await;
            let body = assert_case_error(&case, response, StatusCode::FORBIDDEN, "forbidden").await;
            assert!(
                !message_of(&body).contains(victim_call.as_str()),
                "{case}: the call id is not echoed: {body}"
            );
        }
    }

    let alice_history = all_calls(&app, &alice.token).await;
    assert_eq!(alice_history["total"], json!(2));
    assert_eq!(item(&alice_history, &alice_live)["status"], "initiated");
    assert_eq!(item(&alice_history, &alice_live)["duration"], json!(0));
    assert_eq!(item(&alice_history, &alice_done)["status"], "completed");
    assert_eq!(item(&alice_history, &alice_done)["duration"], json!(60));
    assert!(!ids(&alice_history).contains(&bob_live));

    let bob_history = all_calls(&app, &bob.token).await;
    assert_eq!(bob_history["total"], json!(1));
    assert_eq!(ids(&bob_history), vec![bob_live.clone()]);
    assert_eq!(item(&bob_history, &bob_live)["status"], "initiated");
    assert_eq!(item(&bob_history, &bob_live)["duration"], json!(0));

    // The owner still can.
    set_status(&app, &bob.token, &bob_live, "active", 1).await;
}

/// `completed` is always allowed from `connecting`, `active` is not allowed after `completed`:
/// whatever order the database sees them in, the call ends `completed`.
async fn racing_updates_never_move_a_call_backwards(app: TestApp) {
    let user = app.new_user().await;
    let mut calls = Vec::new();
    for _ in 0..8 {
        calls.push(call_in(&app, &user.token, "connecting", 1).await);
    }
    let requests = calls.iter().flat_map(|id| {
        [
            update_call(&app, &user.token, id, 30, "completed"),
            update_call(&app, &user.token, id, 10, "active"),
        ]
    });
    let responses = futures::future::join_all(requests).await;
    for (index, response) in responses.iter().enumerate() {
        let expected: &[StatusCode] = if index % 2 == 0 {
            &[StatusCode::OK]
        } else {
            &[StatusCode::OK, StatusCode::CONFLICT]
        };
        assert!(
            expected.contains(&response.status()),
            "request {index}: {}",
            response.status()
        );
    }
    let history = all_calls(&app, &user.token).await;
    for id in &calls {
        assert_eq!(item(&history, id)["status"], "completed", "{id}");
        assert_eq!(item(&history, id)["duration"], json!(30), "{id}");
    }
}
