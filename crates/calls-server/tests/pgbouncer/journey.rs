//! One user's whole journey, across two server instances: register, log in, three calls (one
//! finished by the provider's status callbacks, one ended by the user, one abandoned for the
//! reaper), history with a date window, a status filter and cursor pages, logout, and the
//! logged-out token refused everywhere. Every step asserts its answer: a journey that returns
//! had no error.

use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use tokio::sync::Barrier;

use crate::fake_twilio::report;
use crate::support::api::{Api, token_of};
use crate::support::{Answer, NUMBER, PASSWORD};

/// How long the reaper may take to fail the abandoned call (its timeout plus a few sweeps).
const REAPED_WITHIN: Duration = Duration::from_secs(40);

/// Runs user `index`'s journey on `instances` (two processes behind the same database). All
/// users register and log in first, then wait at `ready` so that password hashing is over
/// before any call starts (a call the reaper could consider stale must not wait behind
/// hashes).
pub async fn run(index: usize, instances: [&Api; 2], ready: &Barrier) {
    let [one, two] = if index.is_multiple_of(2) {
        instances
    } else {
        [instances[1], instances[0]]
    };
    let user = format!("user {index}");
    let email = format!("pooled{index}@example.com");
    let registered = one.register(&email).await;
    let login = two
        .post_json(
            "/api/auth/login",
            &json!({ "email": email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.status, 200, "{user}: login {:?}", login.body);
    let token = token_of(&login);
    ready.wait().await;
    let since = Utc::now() - chrono::Duration::minutes(1);

    // The provider finishes the first call: answered, then completed after 7 s of talk.
    let (first, first_sid) = initiate(one, &token, &user).await;
    let answered = [
        ("CallSid", first_sid.as_str()),
        ("CallStatus", "in-progress"),
        ("SequenceNumber", "1"),
    ];
    expect_204(report(two, &first, &answered).await, &user, "in-progress");
    let completed = [
        ("CallSid", first_sid.as_str()),
        ("CallStatus", "completed"),
        ("CallDuration", "7"),
        ("SequenceNumber", "2"),
    ];
    expect_204(report(one, &first, &completed).await, &user, "completed");
    let ended = terminate(two, &token, &first).await;
    assert_eq!(ended.status, 200, "{user}: terminate {:?}", ended.body);
    assert_eq!(
        ended.body,
        json!({ "call_id": first, "duration": 7, "status": "completed" }),
        "{user}: terminating a call the provider finished returns the stored values"
    );

    // The user ends the second call while it rings.
    let (second, second_sid) = initiate(two, &token, &user).await;
    let ringing = [
        ("CallSid", second_sid.as_str()),
        ("CallStatus", "ringing"),
        ("SequenceNumber", "1"),
    ];
    expect_204(report(one, &second, &ringing).await, &user, "ringing");
    let ended = terminate(one, &token, &second).await;
    assert_eq!(ended.status, 200, "{user}: terminate {:?}", ended.body);
    assert_eq!(
        ended.body["status"], "completed",
        "{user}: {:?}",
        ended.body
    );

    // History: a date window around the calls, one call per page, the second page by cursor.
    let window = query(&[
        (
            "date_from",
            &since.to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
        (
            "date_to",
            &(Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
    ]);
    let page = history(two, &token, &format!("limit=1&{window}"), &user).await;
    assert_eq!(page["total"], 2, "{user}: {page}");
    assert_eq!(
        ids(&page),
        [second.as_str()],
        "{user}: newest first: {page}"
    );
    let cursor = page["next_cursor"]
        .as_str()
        .expect("next_cursor")
        .to_owned();
    let next = history(
        one,
        &token,
        &format!("limit=1&{window}&{}", query(&[("cursor", &cursor)])),
        &user,
    )
    .await;
    assert_eq!(
        ids(&next),
        [first.as_str()],
        "{user}: the cursor's page: {next}"
    );
    assert_eq!(next["calls"][0]["duration"], 7, "{user}: {next}");
    let before = query(&[(
        "date_to",
        &(since - chrono::Duration::minutes(1)).to_rfc3339_opts(SecondsFormat::Secs, true),
    )]);
    let earlier = history(one, &token, &before, &user).await;
    assert_eq!(
        earlier["total"], 0,
        "{user}: nothing before the journey: {earlier}"
    );
    let completed = history(two, &token, "status=completed", &user).await;
    assert_eq!(completed["total"], 2, "{user}: {completed}");

    // The third call is abandoned while it rings: the reaper fails it.
    let (third, _) = initiate(one, &token, &user).await;
    let deadline = Instant::now() + REAPED_WITHIN;
    loop {
        let failed = history(two, &token, "status=failed", &user).await;
        if failed["total"] == 1 {
            assert_eq!(ids(&failed), [third.as_str()], "{user}: {failed}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{user}: the abandoned call was not failed within {REAPED_WITHIN:?}: {failed}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Logout: the token is refused by both instances at once; the other token still works.
    let logout = two.logout(&token).await;
    assert_eq!(logout.status, 204, "{user}: logout {:?}", logout.body);
    for api in [one, two] {
        let refused = api.get_authed("/api/calls/history", &token).await;
        assert_eq!(refused.status, 401, "{user}: {:?}", refused.body);
        assert!(
            refused.is_error("unauthorized"),
            "{user}: {:?}",
            refused.body
        );
    }
    let all = history(one, &registered, "", &user).await;
    assert_eq!(all["total"], 3, "{user}: {all}");
}

/// Initiates a call to [`NUMBER`]; must be 200 and ringing; returns its id and Twilio's SID.
async fn initiate(api: &Api, token: &str, user: &str) -> (String, String) {
    let body = json!({ "phone_number": NUMBER });
    let started = api
        .post_json_authed("/api/calls/initiate", token, &body)
        .await;
    assert_eq!(started.status, 200, "{user}: initiate {:?}", started.body);
    assert_eq!(
        started.body["status"], "connecting",
        "{user}: {:?}",
        started.body
    );
    let text = |key: &str| started.body[key].as_str().expect(key).to_owned();
    (text("call_id"), text("session_id"))
}

async fn terminate(api: &Api, token: &str, call_id: &str) -> Answer {
    let body = json!({ "call_id": call_id });
    api.post_json_authed("/api/calls/terminate", token, &body)
        .await
}

/// A history page with `query`; must be 200.
async fn history(api: &Api, token: &str, query: &str, user: &str) -> Value {
    let answer = api
        .get_authed(&format!("/api/calls/history?{query}"), token)
        .await;
    assert_eq!(
        answer.status, 200,
        "{user}: history?{query}: {:?}",
        answer.body
    );
    answer.body
}

fn ids(page: &Value) -> Vec<&str> {
    page["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|call| call["callId"].as_str().expect("callId"))
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("query string")
}

fn expect_204(answer: Answer, user: &str, what: &str) {
    assert_eq!(
        answer.status, 204,
        "{user}: {what} callback: {:?}",
        answer.body
    );
}
