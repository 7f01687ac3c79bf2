//! Rules for [`CallRepository::history_unless_revoked`]: the same page as `history`, unless the
//! token is revoked, as [`RevocationStore::is_revoked`] would say at that moment.

use calls_core::domain::{CallStatus, HistoryFilter};
use calls_core::ports::{CallRepository, RevocationKey};
use chrono::TimeDelta;

use super::StorageUnderTest;
use super::fixtures::{MINUTE, at, history, now, place, query, register};

async fn unless_revoked<S: CallRepository>(
    storage: &S,
    query: calls_core::domain::HistoryQuery,
    key: &str,
) -> Option<calls_core::domain::HistoryPage> {
    storage
        .history_unless_revoked(query, RevocationKey::new(key.to_owned()))
        .await
        .unwrap_or_else(|error| panic!("history_unless_revoked({key}): {error}"))
}

pub async fn history_unless_revoked_reads_the_page_only_for_live_tokens<S: StorageUnderTest>(
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
            unless_revoked(&storage, page_query.clone(), "jti-never-revoked").await,
            Some(expected.clone()),
            "a token never revoked reads what `history` reads"
        );
        assert_eq!(
            unless_revoked(&storage, page_query.clone(), "jti-expired").await,
            Some(expected),
            "a revocation past its expiry no longer counts"
        );
        assert_eq!(
            unless_revoked(&storage, page_query.clone(), "jti-revoked").await,
            None,
            "a revoked token reads nothing"
        );
    }
    // The same answer as the revocation store, for each key.
    for name in ["jti-never-revoked", "jti-expired", "jti-revoked"] {
        let key = RevocationKey::new(name.to_owned());
        let revoked = storage.is_revoked(&key).await.expect("is_revoked");
        let page = unless_revoked(
            &storage,
            query(alice.id, HistoryFilter::default(), Some(1), 20, None),
            name,
        )
        .await;
        assert_eq!(page.is_none(), revoked, "{name}");
    }
}

pub async fn history_unless_revoked_of_a_user_without_calls_is_an_empty_page<
    S: StorageUnderTest,
>(
    storage: S,
) {
    let bob = register(&storage, "bob@example.com").await;
    let page = unless_revoked(
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
