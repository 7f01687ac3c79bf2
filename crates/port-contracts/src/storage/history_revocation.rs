//! Rules for [`CallHistory::page_for_live_session`]: the same page as `page`, unless the session's
//! token is revoked, as [`RevocationStore::is_revoked`] would say at that moment.

use calls_core::domain::{CallStatus, HistoryFilter};
use calls_core::ports::{CallHistory, RevocationKey, SessionHistory, SessionRef};
use chrono::TimeDelta;

use super::StorageUnderTest;
use super::fixtures::{MINUTE, at, history, now, place, query, register};

async fn for_session<S: CallHistory>(
    storage: &S,
    query: calls_core::domain::HistoryQuery,
    key: &str,
) -> Option<calls_core::domain::HistoryPage> {
    let session = SessionRef {
        key: RevocationKey::new(key.to_owned()),
        user_id: query.user_id,
        issued_at: now(),
    };
    storage
        .page_for_live_session(query, session)
        .await
        .map(|read| match read {
            SessionHistory::Page(page) => Some(page),
            SessionHistory::SessionEnded => None,
        })
        .unwrap_or_else(|error| panic!("page_for_live_session({key}): {error}"))
}

pub async fn page_for_live_session_reads_the_page_only_for_live_tokens<S: StorageUnderTest>(
    storage: S,
) {
    let alice = register(&storage, "alice@example.com").await;
    for offset in 0..3 {
        place(
            &storage,
            alice.id,
            at(offset * MINUTE),
            CallStatus::Completed,
        )
        .await;
    }
    place(&storage, alice.id, at(5 * MINUTE), CallStatus::Failed).await;
    let hour = TimeDelta::hours(1);
    storage
        .revoke(&RevocationKey::new("jti-revoked".to_owned()), now() + hour)
        .await
        .expect("revoke");
    storage
        .revoke(&RevocationKey::new("jti-expired".to_owned()), now() - hour)
        .await
        .expect("revoke");

    let unfiltered = query(alice.id, HistoryFilter::default(), Some(1), 2, None);
    let failed_only = query(
        alice.id,
        HistoryFilter {
            status: Some(CallStatus::Failed),
            ..HistoryFilter::default()
        },
        Some(1),
        20,
        None,
    );
    for page_query in [unfiltered, failed_only] {
        let expected = history(&storage, page_query.clone()).await;
        assert!(!expected.calls.is_empty(), "the fixture has calls");
        assert_eq!(
            for_session(&storage, page_query.clone(), "jti-never-revoked").await,
            Some(expected.clone()),
            "a token never revoked reads what `history` reads"
        );
        assert_eq!(
            for_session(&storage, page_query.clone(), "jti-expired").await,
            Some(expected),
            "a revocation past its expiry no longer counts"
        );
        assert_eq!(
            for_session(&storage, page_query.clone(), "jti-revoked").await,
            None,
            "a revoked token reads nothing"
        );
    }
    // The same answer as the revocation store, for each key.
    for name in ["jti-never-revoked", "jti-expired", "jti-revoked"] {
        let session = SessionRef {
            key: RevocationKey::new(name.to_owned()),
            user_id: alice.id,
            issued_at: now(),
        };
        let revoked = storage.is_revoked(&session).await.expect("is_revoked");
        let page = for_session(
            &storage,
            query(alice.id, HistoryFilter::default(), Some(1), 20, None),
            name,
        )
        .await;
        assert_eq!(page.is_none(), revoked, "{name}");
    }
}

pub async fn page_for_live_session_of_a_user_without_calls_is_an_empty_page<S: StorageUnderTest>(
    storage: S,
) {
    let bob = register(&storage, "bob@example.com").await;
    let page = for_session(
        &storage,
        query(bob.id, HistoryFilter::default(), Some(1), 20, None),
        "jti-bob",
    )
    .await
    .expect("not revoked");
    assert!(page.calls.is_empty());
    assert_eq!(page.total, 0);
    assert_eq!(page.next_cursor, None);
}
