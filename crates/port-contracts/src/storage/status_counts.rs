//! Rules for `CallStatistics::count_by_status` and `DatabaseHealth::pool_state`: what the
//! metrics read at scrape time.

use calls_core::domain::{CallStatus, StatusChange};
use calls_core::ports::{CallStatistics, CallStatusCounts};

use super::StorageUnderTest;
use super::fixtures::{HOUR, SECOND, at, place, register};

async fn counts<S: CallStatistics>(storage: &S) -> CallStatusCounts {
    storage
        .count_by_status()
        .await
        .unwrap_or_else(|error| panic!("counting calls by status: {error}"))
}

fn expected(pairs: &[(CallStatus, u64)]) -> CallStatusCounts {
    pairs.iter().copied().collect()
}

pub async fn counts_calls_by_status_across_users<S: StorageUnderTest>(storage: S) {
    assert_eq!(
        counts(&storage).await,
        CallStatusCounts::default(),
        "an empty table counts zero in every status"
    );

    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let first = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    place(&storage, alice.id, at(SECOND), CallStatus::Initiated).await;
    place(&storage, alice.id, at(2 * SECOND), CallStatus::Active).await;
    place(&storage, alice.id, at(3 * SECOND), CallStatus::Completed).await;
    place(&storage, bob.id, at(0), CallStatus::Initiated).await;
    place(&storage, bob.id, at(SECOND), CallStatus::Failed).await;

    let counted = counts(&storage).await;
    assert_eq!(
        counted,
        expected(&[
            (CallStatus::Initiated, 3),
            (CallStatus::Active, 1),
            (CallStatus::Completed, 1),
            (CallStatus::Failed, 1),
        ]),
        "every user's calls count, each in its own status, absent statuses as zero"
    );
    assert_eq!(counted.total(), 6);

    storage
        .transition(first.id, StatusChange::to(CallStatus::Canceled, at(HOUR)))
        .await
        .expect("canceling a call");
    storage.delete(bob.id).await.expect("deleting bob");
    assert_eq!(
        counts(&storage).await,
        expected(&[
            (CallStatus::Initiated, 1),
            (CallStatus::Active, 1),
            (CallStatus::Completed, 1),
            (CallStatus::Canceled, 1),
        ]),
        "the counts follow status changes and deletions"
    );
}

pub async fn pool_state_reports_open_and_idle_connections<S: StorageUnderTest>(storage: S) {
    storage.ping().await.expect("ping");
    let state = storage.pool_state();
    assert!(
        state.max_connections >= 1,
        "the pool allows at least one connection: {state:?}"
    );
    assert!(
        (1..=state.max_connections).contains(&state.connections),
        "the connection the ping used is still open, within the maximum: {state:?}"
    );
    assert!(
        state.idle_connections <= state.connections,
        "idle connections are open connections: {state:?}"
    );
    assert_eq!(
        state.in_use(),
        0,
        "once the ping has answered its connection is back in the pool: {state:?}"
    );
}
