//! Rules for ending sessions: [`UserRepository::end_all_sessions`],
//! [`UserRepository::change_password`] and [`UserRepository::delete`], as
//! [`RevocationStore::is_revoked`] and [`CallHistory::page_for_live_session`] see them.
//!
//! The cutoff is the first whole second after the end (`sessions_cutoff`), compared with a
//! token's whole-second `iat`: a token issued in the end's own second is refused, one carrying
//! the cutoff is live.

use calls_core::domain::{CallStatus, HistoryFilter, PasswordHash, UserId, sessions_cutoff};
use calls_core::ports::{CallHistory, RevocationKey, RevocationStore, SessionHistory, SessionRef};
use chrono::{DateTime, TimeDelta, Utc};

use super::StorageUnderTest;
use super::fixtures::{at, history, now, place, query, register};

fn session(user: UserId, issued_at: DateTime<Utc>) -> SessionRef {
    SessionRef {
        key: RevocationKey::new(format!("jti:{}", uuid_like(issued_at))),
        user_id: user,
        issued_at,
    }
}

fn uuid_like(time: DateTime<Utc>) -> String {
    format!("{}", time.timestamp_micros())
}

/// A whole second, as a token's `iat` is.
fn second(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(time.timestamp(), 0).expect("in range")
}

async fn ended<S: RevocationStore>(storage: &S, session: &SessionRef) -> bool {
    storage
        .is_revoked(session)
        .await
        .unwrap_or_else(|error| panic!("is_revoked({session:?}): {error}"))
}

async fn history_ended<S: CallHistory>(storage: &S, session: &SessionRef, filtered: bool) -> bool {
    let filter = if filtered {
        HistoryFilter {
            status: Some(CallStatus::Completed),
            ..HistoryFilter::default()
        }
    } else {
        HistoryFilter::default()
    };
    let read = storage
        .page_for_live_session(
            query(session.user_id, filter, Some(1), 20, None),
            session.clone(),
        )
        .await
        .expect("page_for_live_session");
    matches!(read, SessionHistory::SessionEnded)
}

pub async fn ending_all_sessions_refuses_tokens_issued_up_to_then<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    place(&storage, alice.id, at(0), CallStatus::Completed).await;
    // Within a second, a quarter past it: the rule must not depend on where in its second the
    // end falls, so the boundary tokens are built around the stored cutoff.
    let end = now();
    let before = session(alice.id, second(end) - TimeDelta::seconds(60));
    let same_second = session(alice.id, second(end));
    let bobs = session(bob.id, second(end));
    assert!(!ended(&storage, &before).await, "live before the end");
    assert!(!ended(&storage, &same_second).await, "live before the end");

    let cutoff = storage
        .end_all_sessions(alice.id, end)
        .await
        .expect("end_all_sessions")
        .expect("alice exists");
    assert_eq!(
        cutoff,
        sessions_cutoff(end),
        "the stored cutoff is the next whole second"
    );
    assert_eq!(
        storage
            .find_by_id(alice.id)
            .await
            .expect("lookup")
            .map(|user| user.sessions_valid_after),
        Some(Some(cutoff)),
        "the user reads the cutoff back"
    );
    for filtered in [false, true] {
        assert!(ended(&storage, &before).await, "an older token is refused");
        assert!(
            ended(&storage, &same_second).await,
            "a token issued in the end's own second is refused"
        );
        assert!(
            history_ended(&storage, &same_second, filtered).await,
            "the history read refuses it in its own statement (filtered: {filtered})"
        );
        let fresh = session(alice.id, cutoff);
        assert!(
            !ended(&storage, &fresh).await,
            "a token issued at the cutoff is live"
        );
        assert!(
            !history_ended(&storage, &fresh, filtered).await,
            "and reads its history (filtered: {filtered})"
        );
        assert!(
            ended(&storage, &session(alice.id, cutoff - TimeDelta::seconds(1))).await,
            "one second before the cutoff is refused"
        );
    }
    assert!(
        !ended(&storage, &bobs).await,
        "other users' sessions are untouched"
    );
    assert_eq!(
        storage
            .find_by_id(bob.id)
            .await
            .expect("lookup")
            .map(|user| user.sessions_valid_after),
        Some(None)
    );
}

pub async fn a_cutoff_never_moves_back<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let later = now() + TimeDelta::seconds(30);
    let first = storage
        .end_all_sessions(alice.id, later)
        .await
        .expect("end")
        .expect("exists");
    let again = storage
        .end_all_sessions(alice.id, later - TimeDelta::seconds(20))
        .await
        .expect("end")
        .expect("exists");
    // An earlier end (a slower clock) never moves the cutoff back; it moves it one second on,
    // so that it also ends the tokens signed at the first cutoff's second since.
    assert_eq!(
        again,
        first + TimeDelta::seconds(1),
        "an earlier end keeps the later cutoff, one second on"
    );
    let hash = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3".to_owned());
    let changed = storage
        .change_password(alice.id, hash, later - TimeDelta::seconds(20))
        .await
        .expect("change")
        .expect("exists");
    assert_eq!(
        changed,
        again + TimeDelta::seconds(1),
        "a password change does not move it back either"
    );
    let moved = storage
        .end_all_sessions(alice.id, later + TimeDelta::seconds(5))
        .await
        .expect("end")
        .expect("exists");
    assert_eq!(
        moved,
        sessions_cutoff(later + TimeDelta::seconds(5)),
        "a later end moves it on"
    );
}

pub async fn ending_the_sessions_of_an_unknown_user_finds_nobody<S: StorageUnderTest>(storage: S) {
    assert_eq!(
        storage.end_all_sessions(UserId::new(), now()).await,
        Ok(None)
    );
    let hash = PasswordHash::new("$argon2id$x".to_owned());
    assert_eq!(
        storage.change_password(UserId::new(), hash, now()).await,
        Ok(None)
    );
}

pub async fn changing_the_password_stores_it_and_ends_the_sessions<S: StorageUnderTest>(
    storage: S,
) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let end = now();
    let old = session(alice.id, second(end));
    let hash = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$bmV3$Y2hhbmdlZA".to_owned());
    let cutoff = storage
        .change_password(alice.id, hash.clone(), end)
        .await
        .expect("change_password")
        .expect("alice exists");
    assert_eq!(cutoff, sessions_cutoff(end));
    let stored = storage
        .find_by_id(alice.id)
        .await
        .expect("lookup")
        .expect("alice");
    assert_eq!(stored.password_hash, hash, "the new hash is stored");
    assert_eq!(stored.sessions_valid_after, Some(cutoff));
    assert_eq!(stored.email, alice.email, "nothing else changes");
    assert!(ended(&storage, &old).await, "the old sessions are over");
    assert!(!ended(&storage, &session(alice.id, cutoff)).await);
    assert_eq!(
        storage.find_by_id(bob.id).await,
        Ok(Some(bob)),
        "other accounts keep their hash and sessions"
    );
}

pub async fn a_deleted_users_sessions_are_over<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    place(&storage, alice.id, at(0), CallStatus::Completed).await;
    let live = session(alice.id, second(now()));
    assert!(!ended(&storage, &live).await);
    assert_eq!(storage.delete(alice.id).await, Ok(true));
    assert!(ended(&storage, &live).await, "no user, no session");
    for filtered in [false, true] {
        assert!(
            history_ended(&storage, &live, filtered).await,
            "filtered: {filtered}"
        );
    }
    assert!(
        ended(&storage, &session(UserId::new(), second(now()))).await,
        "a token of a user who never existed opens no session"
    );
}

pub async fn deleting_a_user_clears_their_counters_and_frees_the_email<S: StorageUnderTest>(
    storage: S,
) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    for offset in 0..3 {
        place(&storage, alice.id, at(offset), CallStatus::Completed).await;
    }
    let bobs = place(&storage, bob.id, at(0), CallStatus::Failed).await;
    assert_eq!(storage.delete(alice.id).await, Ok(true));
    assert_eq!(
        storage.delete(alice.id).await,
        Ok(false),
        "deleting again finds nothing"
    );
    let again = register(&storage, "alice@example.com").await;
    assert_ne!(again.id, alice.id);
    let filtered = HistoryFilter {
        status: Some(CallStatus::Completed),
        date_from: Some(at(-super::fixtures::HOUR * 24 * 3)),
        date_to: Some(at(super::fixtures::HOUR * 24 * 3)),
    };
    for filter in [HistoryFilter::default(), filtered] {
        let page = history(&storage, query(again.id, filter, None, 20, None)).await;
        assert_eq!(
            (page.total, page.calls.len()),
            (0, 0),
            "the new account starts empty"
        );
    }
    place(&storage, again.id, at(0), CallStatus::Completed).await;
    let page = history(
        &storage,
        query(again.id, HistoryFilter::default(), None, 20, None),
    )
    .await;
    assert_eq!(page.total, 1, "its counters count from zero");
    assert_eq!(
        storage.get(bobs.id).await.expect("get").map(|call| call.id),
        Some(bobs.id)
    );
    let page = history(
        &storage,
        query(bob.id, HistoryFilter::default(), None, 20, None),
    )
    .await;
    assert_eq!(page.total, 1, "other users' counters are untouched");
}

pub async fn lists_a_users_unfinished_calls<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let active = place(&storage, alice.id, at(2), CallStatus::Active).await;
    let connecting = place(&storage, alice.id, at(1), CallStatus::Connecting).await;
    let initiated = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    for status in [
        CallStatus::Completed,
        CallStatus::Failed,
        CallStatus::Canceled,
    ] {
        place(&storage, alice.id, at(3), status).await;
    }
    place(&storage, bob.id, at(5), CallStatus::Active).await;
    let unfinished = storage
        .unfinished_of(alice.id)
        .await
        .expect("unfinished_of");
    let ids: Vec<_> = unfinished.iter().map(|call| call.id).collect();
    assert_eq!(
        ids,
        vec![active.id, connecting.id, initiated.id],
        "only the user's unfinished calls, newest first"
    );
    assert_eq!(storage.unfinished_of(UserId::new()).await, Ok(Vec::new()));
}
