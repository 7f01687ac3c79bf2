//! Rules for `CallExport::export_page`: the account export's keyset pages.

use calls_core::domain::{
    CallId, CallStatus, ExportPosition, ExportedCall, NewCall, PhoneNumber, StatusChange, UserId,
};
use calls_core::ports::CallExport;

use super::StorageUnderTest;
use super::fixtures::{SECOND, at, ids, insert_call, newest_first, now, place, register};

async fn page<S: CallExport>(
    storage: &S,
    user: UserId,
    after: Option<ExportPosition>,
    limit: u32,
) -> Vec<ExportedCall> {
    storage
        .export_page(user, after, limit)
        .await
        .unwrap_or_else(|error| panic!("export page: {error}"))
}

/// Every page from the start, `limit` calls each, until a short one.
async fn walk<S: CallExport>(storage: &S, user: UserId, limit: u32) -> Vec<ExportedCall> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let calls = page(storage, user, after, limit).await;
        assert!(
            calls.len() <= limit as usize,
            "a page holds at most its limit"
        );
        let short = calls.len() < limit as usize;
        after = calls.last().map(ExportedCall::position);
        all.extend(calls);
        if short {
            return all;
        }
    }
}

fn exported_ids(calls: &[ExportedCall]) -> Vec<CallId> {
    calls.iter().map(|call| call.id).collect()
}

pub async fn export_pages_visit_every_call_once_newest_first<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    assert!(
        page(&storage, alice.id, None, 10).await.is_empty(),
        "a user without calls exports none"
    );
    let mut placed = Vec::new();
    // Three calls share one start time: pages must split them by id without loss.
    for offset in [
        0,
        SECOND,
        SECOND,
        SECOND,
        2 * SECOND,
        3 * SECOND,
        4 * SECOND,
    ] {
        placed.push(place(&storage, alice.id, at(offset), CallStatus::Initiated).await);
    }
    let expected = ids(&newest_first(placed));
    for limit in [1, 2, 3, 7, 100] {
        assert_eq!(
            exported_ids(&walk(&storage, alice.id, limit).await),
            expected,
            "pages of {limit} visit every call once, newest first, ties by id"
        );
    }
    assert!(
        page(&storage, alice.id, None, 0).await.is_empty(),
        "a limit of 0 reads nothing"
    );
}

pub async fn export_never_includes_other_users_calls<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let own = place(&storage, alice.id, at(0), CallStatus::Initiated).await;
    for offset in 0..3 {
        place(&storage, bob.id, at(offset * SECOND), CallStatus::Initiated).await;
    }
    assert_eq!(exported_ids(&walk(&storage, alice.id, 2).await), [own.id]);
    assert_eq!(walk(&storage, bob.id, 2).await.len(), 3);
}

pub async fn export_carries_every_stored_field<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let created = insert_call(
        &storage,
        NewCall {
            id: CallId::new(),
            user_id: alice.id,
            phone_number: PhoneNumber::parse("+442079460958").expect("valid"),
            start_time: at(0),
            status: CallStatus::Initiated,
        },
    )
    .await;
    let ended = at(90 * SECOND);
    let change = StatusChange::to(CallStatus::Failed, ended)
        .with_duration(42)
        .with_session("MK-session".into(), Some("v=0 offer".into()))
        .with_failure_reason("the provider said no");
    storage
        .transition(created.id, change)
        .await
        .expect("failing the call");

    let exported = page(&storage, alice.id, None, 10).await;
    let [call] = exported.as_slice() else {
        panic!("one call expected: {exported:?}");
    };
    assert_eq!(call.id, created.id);
    assert_eq!(call.phone_number, "+442079460958");
    assert_eq!(call.country.as_deref(), Some("GB"));
    assert_eq!(call.start_time, at(0), "to the microsecond");
    assert_eq!(call.ended_at, Some(ended));
    assert_eq!(call.duration, 42);
    assert_eq!(call.status, CallStatus::Failed);
    assert_eq!(call.session_id.as_deref(), Some("MK-session"));
    assert_eq!(call.sdp_offer.as_deref(), Some("v=0 offer"));
    assert_eq!(call.failure_reason.as_deref(), Some("the provider said no"));
    assert_eq!(call.dialled_session_id, None);
    assert_eq!(call.sdp_answer, None);
    let written = call.created_at.expect("the database stamps created_at");
    let skew = (written - now()).num_seconds().abs();
    assert!(
        skew < 300,
        "created_at is the time of the insert: {written}"
    );
}
