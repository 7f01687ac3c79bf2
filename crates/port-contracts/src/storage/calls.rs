//! Rules for creating, reading and moving single calls through [`CallRecords`].

use calls_core::domain::{Call, CallId, CallStatus, StatusChange, UserId};
use calls_core::ports::{CallRecords, CreateCallError, TransitionError};

use super::StorageUnderTest;
use super::fixtures::{PHONE, SECOND, at, new_call, place, register};

async fn transition<S: CallRecords>(storage: &S, id: CallId, change: StatusChange) -> Call {
    let wanted = change.status;
    storage
        .transition(id, change)
        .await
        .unwrap_or_else(|error| panic!("moving the call to {wanted}: {error}"))
}

async fn stored<S: CallRecords>(storage: &S, id: CallId) -> Call {
    storage
        .get(id)
        .await
        .expect("reading the call")
        .expect("the call exists")
}

pub async fn creates_and_gets_a_call<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let new = new_call(alice.id, at(7), CallStatus::Initiated);
    let created = CallRecords::create(&storage, new.clone())
        .await
        .expect("creating a call");
    let expected = Call {
        id: new.id,
        user_id: alice.id,
        phone_number: PHONE.to_owned(),
        country: Some("DE".to_owned()),
        start_time: at(7),
        duration: 0,
        status: CallStatus::Initiated,
        session_id: None,
        sdp_offer: None,
        failure_reason: None,
        ended_at: None,
    };
    assert_eq!(created, expected, "create returns the call as stored");
    assert_eq!(
        storage.get(new.id).await,
        Ok(Some(expected)),
        "get returns the same call"
    );
    assert_eq!(
        storage.get(CallId::new()).await,
        Ok(None),
        "an unknown id finds nothing"
    );
}

pub async fn refuses_a_call_for_an_unknown_user<S: StorageUnderTest>(storage: S) {
    let call = new_call(UserId::new(), at(0), CallStatus::Initiated);
    assert_eq!(
        CallRecords::create(&storage, call.clone()).await,
        Err(CreateCallError::UnknownUser)
    );
    assert_eq!(storage.get(call.id).await, Ok(None), "nothing was written");
}

pub async fn transition_applies_allowed_moves<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Initiated).await;

    let connecting = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Connecting, at(SECOND))
            .with_session("CA0001".to_owned(), Some("v=0 offer".to_owned())),
    )
    .await;
    assert_eq!(
        connecting,
        Call {
            status: CallStatus::Connecting,
            session_id: Some("CA0001".to_owned()),
            sdp_offer: Some("v=0 offer".to_owned()),
            ..call.clone()
        },
        "initiated -> connecting stores the session and nothing else"
    );

    let active = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Active, at(2 * SECOND)),
    )
    .await;
    assert_eq!(active.status, CallStatus::Active);
    assert_eq!(active.ended_at, None, "an unfinished call has no end time");

    let still_active = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Active, at(7 * SECOND)).with_duration(5),
    )
    .await;
    assert_eq!(
        (still_active.status, still_active.duration),
        (CallStatus::Active, 5),
        "staying active updates the duration"
    );

    let completed = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Completed, at(44 * SECOND)).with_duration(42),
    )
    .await;
    assert_eq!(
        completed,
        Call {
            status: CallStatus::Completed,
            duration: 42,
            ended_at: Some(at(44 * SECOND)),
            ..connecting
        },
        "completing stores duration and end time, keeps the session"
    );
    assert_eq!(
        stored(&storage, call.id).await,
        completed,
        "get agrees with the returned call"
    );

    let skipping = place(&storage, alice.id, at(SECOND), CallStatus::Initiated).await;
    let canceled = transition(
        &storage,
        skipping.id,
        StatusChange::to(CallStatus::Canceled, at(3 * SECOND)),
    )
    .await;
    assert_eq!(
        (canceled.status, canceled.ended_at),
        (CallStatus::Canceled, Some(at(3 * SECOND))),
        "an initiated call may end directly"
    );
}

pub async fn transition_refuses_backward_moves_without_writing<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    let active = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Active, at(SECOND)).with_duration(7),
    )
    .await;

    let backwards = StatusChange::to(CallStatus::Initiated, at(2 * SECOND))
        .with_duration(99)
        .with_session("CA-evil".to_owned(), Some("evil offer".to_owned()))
        .with_failure_reason("should not be written");
    assert_eq!(
        storage.transition(call.id, backwards).await,
        Err(TransitionError::Refused {
            current: CallStatus::Active,
            requested: CallStatus::Initiated,
        })
    );
    assert_eq!(
        stored(&storage, call.id).await,
        active,
        "a refused move writes nothing"
    );

    let completed = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Completed, at(9 * SECOND)).with_duration(8),
    )
    .await;
    for requested in CallStatus::ALL {
        let change = StatusChange::to(requested, at(20 * SECOND)).with_duration(1000);
        assert_eq!(
            storage.transition(call.id, change).await,
            Err(TransitionError::Refused {
                current: CallStatus::Completed,
                requested,
            }),
            "a completed call never becomes {requested}"
        );
    }
    assert_eq!(
        stored(&storage, call.id).await,
        completed,
        "a finished call never changes"
    );
}

pub async fn transition_reports_an_unknown_call<S: StorageUnderTest>(storage: S) {
    let change = StatusChange::to(CallStatus::Active, at(0));
    assert_eq!(
        storage.transition(CallId::new(), change).await,
        Err(TransitionError::NotFound)
    );
}

pub async fn status_change_keeps_the_fields_it_does_not_set<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Connecting, at(SECOND))
            .with_session("S1".to_owned(), Some("offer-1".to_owned())),
    )
    .await;

    let active = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Active, at(2 * SECOND)).with_duration(3),
    )
    .await;
    assert_eq!(
        (
            active.session_id.as_deref(),
            active.sdp_offer.as_deref(),
            active.duration
        ),
        (Some("S1"), Some("offer-1"), 3),
        "None fields keep the stored session and offer"
    );

    let relinked = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Active, at(3 * SECOND)).with_session("S2".to_owned(), None),
    )
    .await;
    assert_eq!(
        (
            relinked.session_id.as_deref(),
            relinked.sdp_offer.as_deref(),
            relinked.duration
        ),
        (Some("S2"), Some("offer-1"), 3),
        "a new session without offer keeps the stored offer and duration"
    );

    let failed = transition(
        &storage,
        call.id,
        StatusChange::to(CallStatus::Failed, at(4 * SECOND))
            .with_failure_reason("provider timeout"),
    )
    .await;
    assert_eq!(
        failed,
        Call {
            status: CallStatus::Failed,
            failure_reason: Some("provider timeout".to_owned()),
            ended_at: Some(at(4 * SECOND)),
            ..relinked
        },
        "failing stores reason and end time and keeps everything else"
    );
    assert_eq!(stored(&storage, call.id).await, failed);
}

pub async fn concurrent_transitions_never_move_a_call_backwards<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let call = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    let moves: Vec<_> = (0..12)
        .map(|i| {
            let storage = storage.clone();
            let change = if i == 6 {
                StatusChange::to(CallStatus::Completed, at(30 * SECOND)).with_duration(30)
            } else {
                StatusChange::to(CallStatus::Active, at(SECOND)).with_duration(i)
            };
            tokio::spawn(async move { (change.status, storage.transition(call.id, change).await) })
        })
        .collect();
    for result in futures::future::join_all(moves).await {
        match result.expect("transition task panicked") {
            (_, Ok(moved)) => assert!(
                matches!(moved.status, CallStatus::Active | CallStatus::Completed),
                "unexpected status {}",
                moved.status
            ),
            (
                CallStatus::Active,
                Err(TransitionError::Refused {
                    current: CallStatus::Completed,
                    requested: CallStatus::Active,
                }),
            ) => {}
            (requested, Err(error)) => panic!("moving to {requested} failed with {error:?}"),
        }
    }
    let last = stored(&storage, call.id).await;
    assert_eq!(
        (last.status, last.duration, last.ended_at),
        (CallStatus::Completed, 30, Some(at(30 * SECOND))),
        "the completion wins whatever the order of the racing updates"
    );
}

pub async fn finds_a_call_by_session_id<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let first = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    let second = place(&storage, alice.id, at(SECOND), CallStatus::Initiated).await;
    let first = transition(
        &storage,
        first.id,
        StatusChange::to(CallStatus::Connecting, at(SECOND))
            .with_session("CA-first".to_owned(), None),
    )
    .await;
    let second = transition(
        &storage,
        second.id,
        StatusChange::to(CallStatus::Connecting, at(2 * SECOND))
            .with_session("CA-second".to_owned(), None),
    )
    .await;
    assert_eq!(
        storage.find_by_session_id("CA-first").await,
        Ok(Some(first))
    );
    assert_eq!(
        storage.find_by_session_id("CA-second").await,
        Ok(Some(second))
    );
    assert_eq!(storage.find_by_session_id("CA-none").await, Ok(None));
    assert_eq!(
        storage.find_by_session_id("CA-FIRST").await,
        Ok(None),
        "session ids are exact"
    );
}
