//! Several instances on one database: the background jobs run on every instance at once, and
//! still change each record once.
//!
//! The other multi-instance guarantees have their tests where their feature is tested:
//! - a token logged out on one instance is refused by the others at once:
//!   `auth::logout_revokes_the_token_on_every_instance`;
//! - a call initiated on one instance can be terminated through another:
//!   `voice_mock::a_call_is_terminated_through_another_instance`.

use std::time::Duration;

use calls_core::domain::{CallId, CallStatus};
use calls_core::ports::{RevocationKey, SessionRef};
use calls_server::settings::Settings;
use calls_server::startup::Storage;
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::history_support::{all_calls, item, wait_for_status};
use crate::on_all_backends;
use crate::voice_support::{NUMBER, initiate_ok, terminate_ok};

on_all_backends!(
    two_reapers_fail_a_stuck_call_once,
    racing_sweeps_fail_each_call_exactly_once,
    two_purging_instances_keep_live_revocations,
    racing_purges_delete_each_expired_revocation_once,
);

/// Sweeps every second; a call still connecting after one second is stale.
fn fast_reaper(settings: &mut Settings) {
    settings.voip.reaper.interval_secs = 1;
    settings.voip.reaper.connecting_timeout_secs = 1;
}

async fn two_reapers_fail_a_stuck_call_once(app: TestApp) {
    let first = app.another_instance_with(fast_reaper).await;
    let second = app.another_instance_with(fast_reaper).await;
    let user = first.new_user().await;
    let started = initiate_ok(&first, &user.token, NUMBER).await;
    assert_eq!(started["status"], "connecting");
    let call_id = started["call_id"].as_str().expect("call id").to_owned();

    let status = wait_for_status(&second, &user.token, &call_id, "failed").await;
    assert_eq!(status, "failed", "the stuck call is failed by a reaper");

    let storage = app.storage().await;
    let id: CallId = call_id.parse().expect("call id");
    let reaped = storage.calls.get(id).await.expect("read").expect("stored");
    assert_eq!(reaped.status, CallStatus::Failed);
    assert!(reaped.ended_at.is_some(), "ended_at stored: {reaped:?}");
    assert!(
        reaped
            .failure_reason
            .as_deref()
            .is_some_and(|reason| reason.contains("connecting")),
        "failure reason stored: {reaped:?}"
    );

    // Both instances sweep at least twice more: the record does not change again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let later = storage.calls.get(id).await.expect("read").expect("stored");
    assert_eq!(later, reaped, "later sweeps leave the failed call alone");
    let history = all_calls(&first, &user.token).await;
    assert_eq!(history["total"], 1, "one call in the history: {history}");
    assert_eq!(item(&history, &call_id)["status"], "failed");
    // Terminating it through either instance changes nothing either.
    let ended = terminate_ok(&second, &user.token, &call_id).await;
    assert_eq!(ended["status"], "failed");
    assert_eq!(
        storage.calls.get(id).await.expect("read").expect("stored"),
        reaped
    );
}

/// The reaper's statement on two storages (two pools, as two processes have) at the same
/// time, each with its own failure reason and time; how many calls each failed.
async fn sweep_both(
    [one, other]: [&Storage; 2],
    cutoff: DateTime<Utc>,
    [reason_one, reason_other]: [&str; 2],
    [now_one, now_other]: [DateTime<Utc>; 2],
) -> (u64, u64) {
    let stale = CallStatus::Connecting;
    let (by_one, by_other) = tokio::join!(
        one.sweeps.fail_stale(stale, cutoff, reason_one, now_one),
        other
            .sweeps
            .fail_stale(stale, cutoff, reason_other, now_other),
    );
    (by_one.expect("sweep one"), by_other.expect("sweep other"))
}

/// The purge statement on two storages at the same time; how many revocations each deleted.
async fn purge_both(one: &Storage, other: &Storage, now: DateTime<Utc>) -> (u64, u64) {
    let (by_one, by_other) = tokio::join!(
        one.revocations.purge_expired(now),
        other.revocations.purge_expired(now),
    );
    (by_one.expect("purge one"), by_other.expect("purge other"))
}

/// The reaper's statement run by two instances at the very same time (two pools, as two
/// processes have): every stale call is failed by exactly one of them.
async fn racing_sweeps_fail_each_call_exactly_once(app: TestApp) {
    const CALLS: usize = 10;
    // Default reaper timeouts: the instances' own sweeps leave these calls alone.
    let busy = app
        .another_instance_with(|settings| {
            settings.voip.max_active_calls_per_user = CALLS as u32;
        })
        .await;
    let user = busy.new_user().await;
    let mut ids = Vec::new();
    for _ in 0..CALLS {
        let started = initiate_ok(&busy, &user.token, NUMBER).await;
        let id: CallId = started["call_id"]
            .as_str()
            .expect("call id")
            .parse()
            .expect("uuid");
        ids.push(id);
    }

    let one = app.storage().await;
    let other = app.storage().await;
    let cutoff = Utc::now() + TimeDelta::seconds(1);
    // Whole microseconds: what both databases store.
    let now_one = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now");
    let now_other = now_one + TimeDelta::milliseconds(1);
    let reasons = ["sweep one", "sweep other"];
    let (by_one, by_other) =
        sweep_both([&one, &other], cutoff, reasons, [now_one, now_other]).await;
    assert_eq!(
        by_one + by_other,
        CALLS as u64,
        "each call failed once ({by_one} + {by_other})"
    );

    let mut seen = (0, 0);
    for id in &ids {
        let call = one.calls.get(*id).await.expect("read").expect("stored");
        assert_eq!(call.status, CallStatus::Failed);
        match call.failure_reason.as_deref() {
            Some("sweep one") => {
                assert_eq!(call.ended_at, Some(now_one));
                seen.0 += 1;
            }
            Some("sweep other") => {
                assert_eq!(call.ended_at, Some(now_other));
                seen.1 += 1;
            }
            other => panic!("unexpected failure reason {other:?}"),
        }
    }
    assert_eq!(
        seen,
        (by_one, by_other),
        "each sweep's count matches the calls it wrote"
    );

    let again = sweep_both([&one, &other], cutoff, ["again"; 2], [now_one, now_other]).await;
    assert_eq!(again, (0, 0), "nothing is left to sweep");
    // The user's line is free again: the failed calls no longer count as in progress.
    let response = busy
        .post_json_authed(
            "/api/calls/initiate",
            &user.token,
            &serde_json::json!({ "phone_number": NUMBER }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// Purges every second.
fn fast_purge(settings: &mut Settings) {
    settings.auth.revocation_purge_interval_secs = 1;
}

/// Both instances purge expired revocations every second; a token logged out on one stays
/// refused by both through several purges, because only expired revocations go.
async fn two_purging_instances_keep_live_revocations(app: TestApp) {
    let first = app.another_instance_with(fast_purge).await;
    let second = app.another_instance_with(fast_purge).await;
    let user = first.new_user().await;
    let logout = first.logout(&user.token).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    // Both instances purge at least twice.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for instance in [&first, &second] {
        let response = instance.get_authed("/api/calls/history", &user.token).await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "the logged-out token stays refused after the purges"
        );
    }
    // A fresh login on either instance works: the purges removed nothing they should not.
    let login = second.login(&user.email, &user.password).await;
    assert_eq!(login.status(), StatusCode::OK);
    let body: Value = login.json().await.expect("json");
    let again = body["token"].as_str().expect("token");
    let response = first.get_authed("/api/calls/history", again).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// The purge statement run by two instances at once (two pools): every expired revocation is
/// deleted by exactly one of them, and live ones survive both.
async fn racing_purges_delete_each_expired_revocation_once(app: TestApp) {
    const EXPIRED: usize = 20;
    const LIVE: usize = 5;
    let one = app.storage().await;
    let other = app.storage().await;
    // A live session needs its user.
    let owner = app.new_user().await;
    let owner_id = owner.id.parse().expect("user id");
    let now = Utc::now();
    for (kind, count, expires) in [
        ("expired", EXPIRED, now - TimeDelta::seconds(60)),
        ("live", LIVE, now + TimeDelta::hours(1)),
    ] {
        for index in 0..count {
            let key = RevocationKey::new(format!("{kind}-{index}"));
            one.revocations.revoke(&key, expires).await.expect("revoke");
        }
    }
    let (by_one, by_other) = purge_both(&one, &other, now).await;
    assert_eq!(
        by_one + by_other,
        EXPIRED as u64,
        "each expired revocation deleted once ({by_one} + {by_other})"
    );
    for index in 0..LIVE {
        let session = SessionRef {
            key: RevocationKey::new(format!("live-{index}")),
            user_id: owner_id,
            issued_at: now,
        };
        assert!(
            other.revocations.is_revoked(&session).await.expect("read"),
            "live revocation {index} survives"
        );
    }
    assert_eq!(
        purge_both(&one, &other, now).await,
        (0, 0),
        "nothing is left to purge"
    );
}
