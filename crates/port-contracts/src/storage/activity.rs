//! Rules for the per-user counters, the pending-call lookup and the stale-call sweep of
//! [`CallUsage`](calls_core::ports::CallUsage) (the counts behind the calling limits),
//! [`CallSweeps`](calls_core::ports::CallSweeps) (the stale-call sweep) and the
//! [`CallRecords`](calls_core::ports::CallRecords) lookups and updates the provider's webhooks
//! make.

use calls_core::domain::{Call, CallStatus, StatusChange};

use super::StorageUnderTest;
use super::fixtures::{HOUR, MINUTE, SECOND, at, place, register};

pub async fn counts_calls_in_progress<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let carol = register(&storage, "carol@example.com").await;
    let mut active = None;
    for (i, status) in CallStatus::ALL.into_iter().enumerate() {
        let call = place(&storage, alice.id, at(i as i64 * SECOND), status).await;
        if status == CallStatus::Active {
            active = Some(call);
        }
    }
    place(&storage, bob.id, at(0), CallStatus::Active).await;
    assert_eq!(
        storage.count_in_progress(alice.id).await,
        Ok(3),
        "initiated, connecting and active count; finished calls and other users' do not"
    );
    assert_eq!(storage.count_in_progress(carol.id).await, Ok(0));

    let active = active.expect("an active call was placed");
    storage
        .transition(active.id, StatusChange::to(CallStatus::Completed, at(HOUR)))
        .await
        .expect("completing the active call");
    assert_eq!(
        storage.count_in_progress(alice.id).await,
        Ok(2),
        "a finished call stops counting"
    );
}

pub async fn counts_calls_started_since<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    place(&storage, alice.id, at(-1), CallStatus::Completed).await;
    place(&storage, alice.id, at(0), CallStatus::Failed).await;
    place(&storage, alice.id, at(HOUR), CallStatus::Initiated).await;
    place(&storage, bob.id, at(HOUR), CallStatus::Initiated).await;
    for (since, expected) in [(-1, 3), (0, 2), (1, 1), (HOUR, 1), (HOUR + 1, 0)] {
        assert_eq!(
            storage.count_started_since(alice.id, at(since)).await,
            Ok(expected),
            "calls started at or after offset {since} us, any status, this user only"
        );
    }
}

pub async fn finds_the_newest_pending_call_without_session<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let older = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    let newest = place(&storage, alice.id, at(10 * SECOND), CallStatus::Initiated).await;
    let linked = place(&storage, alice.id, at(20 * SECOND), CallStatus::Initiated).await;
    storage
        .transition(
            linked.id,
            StatusChange::to(CallStatus::Connecting, at(21 * SECOND))
                .with_session("CA-linked".to_owned(), None),
        )
        .await
        .expect("linking a session");
    place(&storage, alice.id, at(30 * SECOND), CallStatus::Completed).await;
    place(&storage, alice.id, at(-HOUR), CallStatus::Initiated).await;
    place(&storage, bob.id, at(40 * SECOND), CallStatus::Initiated).await;

    let find = async |since: i64| -> Option<Call> {
        storage
            .find_pending_without_session(alice.id, at(since))
            .await
            .expect("pending lookup")
    };
    assert_eq!(
        find(0).await,
        Some(newest.clone()),
        "the newest unfinished call without session, ignoring linked, finished and other users' calls"
    );
    assert_eq!(
        find(10 * SECOND).await,
        Some(newest.clone()),
        "`since` is inclusive"
    );
    assert_eq!(
        find(10 * SECOND + 1).await,
        None,
        "calls before `since` are ignored"
    );

    storage
        .transition(
            newest.id,
            StatusChange::to(CallStatus::Connecting, at(MINUTE))
                .with_session("CA-newest".to_owned(), None),
        )
        .await
        .expect("linking a session");
    assert_eq!(
        find(0).await,
        Some(older),
        "once linked, the call is no longer pending"
    );
}

pub async fn fail_stale_fails_only_old_calls_in_the_given_status<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let stale = place(&storage, alice.id, at(-10 * MINUTE), CallStatus::Connecting).await;
    let stale_of_bob = place(&storage, bob.id, at(-1), CallStatus::Connecting).await;
    let untouched = vec![
        place(&storage, alice.id, at(0), CallStatus::Connecting).await,
        place(&storage, alice.id, at(-HOUR), CallStatus::Active).await,
        place(&storage, alice.id, at(-HOUR), CallStatus::Initiated).await,
        place(&storage, alice.id, at(-HOUR), CallStatus::Completed).await,
        place(&storage, alice.id, at(-HOUR), CallStatus::Canceled).await,
    ];
    let now = at(HOUR);

    assert_eq!(
        storage
            .fail_stale(
                CallStatus::Connecting,
                at(0),
                "no answer from the provider",
                now
            )
            .await,
        Ok(2),
        "connecting calls started strictly before the cutoff, of every user"
    );
    for call in [stale, stale_of_bob] {
        let failed = storage
            .get(call.id)
            .await
            .expect("reading")
            .expect("exists");
        assert_eq!(
            failed,
            Call {
                status: CallStatus::Failed,
                failure_reason: Some("no answer from the provider".to_owned()),
                ended_at: Some(now),
                ..call
            },
            "a stale call ends as failed with the reason and the sweep's time"
        );
    }
    for call in &untouched {
        assert_eq!(
            storage.get(call.id).await,
            Ok(Some(call.clone())),
            "other statuses and newer calls are left alone"
        );
    }
    assert_eq!(
        storage
            .fail_stale(CallStatus::Connecting, at(0), "again", now)
            .await,
        Ok(0),
        "a second sweep fails nothing"
    );
    for finished in [
        CallStatus::Completed,
        CallStatus::Canceled,
        CallStatus::Failed,
    ] {
        assert_eq!(
            storage.fail_stale(finished, at(HOUR), "never", now).await,
            Ok(0),
            "finished calls ({finished}) are never failed"
        );
    }
    assert_eq!(
        storage.get(untouched[3].id).await,
        Ok(Some(untouched[3].clone())),
        "the completed call is unchanged"
    );
}
