//! Rules for [`PasswordResetTokens`]: a live secret per account, replaced by a newer one,
//! spent once, gone when it expires or its account goes.

use calls_core::domain::{PasswordHash, ResetDigest, ResetSecret, sessions_cutoff};
use calls_core::ports::{PasswordResetTokens, RevocationKey, SessionRef};
use chrono::{DateTime, TimeDelta, Utc};

use super::StorageUnderTest;
use super::fixtures::{email, now, register};

fn digest() -> ResetDigest {
    ResetSecret::generate().digest()
}

async fn issue<S: PasswordResetTokens>(
    storage: &S,
    address: &str,
    digest: &ResetDigest,
    at: DateTime<Utc>,
    life: TimeDelta,
) -> bool {
    storage
        .issue(&email(address), digest, at, at + life)
        .await
        .unwrap_or_else(|error| panic!("issue for {address}: {error}"))
}

/// [`issue`] with the default life of a link, 30 minutes.
async fn issue_live<S: PasswordResetTokens>(
    storage: &S,
    address: &str,
    digest: &ResetDigest,
    at: DateTime<Utc>,
) -> bool {
    issue(storage, address, digest, at, TimeDelta::minutes(30)).await
}

async fn holder<S: PasswordResetTokens>(
    storage: &S,
    digest: &ResetDigest,
    at: DateTime<Utc>,
) -> Option<calls_core::domain::UserId> {
    storage.holder(digest, at).await.expect("holder")
}

fn new_hash(tag: &str) -> PasswordHash {
    PasswordHash::new(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${tag}"))
}

pub async fn a_secret_is_live_for_its_account_until_it_expires<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let secret = digest();
    let start = now();
    assert!(
        issue_live(&storage, "Alice@Example.com", &secret, start).await,
        "the account is found by its address in any letter case"
    );
    let expiry = start + TimeDelta::minutes(30);
    assert_eq!(holder(&storage, &secret, start).await, Some(alice.id));
    assert_eq!(
        holder(&storage, &secret, expiry - TimeDelta::microseconds(1)).await,
        Some(alice.id),
        "live up to its expiry"
    );
    assert_eq!(
        holder(&storage, &secret, expiry).await,
        None,
        "dead from its expiry on"
    );
    assert_eq!(
        holder(&storage, &digest(), start).await,
        None,
        "unknown secrets have no holder"
    );
}

pub async fn an_address_without_an_account_stores_nothing<S: StorageUnderTest>(storage: S) {
    register(&storage, "alice@example.com").await;
    let secret = digest();
    assert!(
        !issue(
            &storage,
            "nobody@example.com",
            &secret,
            now(),
            TimeDelta::minutes(30)
        )
        .await,
        "no account, and it says so"
    );
    assert_eq!(holder(&storage, &secret, now()).await, None);
    assert_eq!(
        storage
            .purge_expired_links(now() + TimeDelta::days(1))
            .await
            .expect("purge"),
        0,
        "nothing was stored to purge"
    );
}

pub async fn a_newer_secret_replaces_the_accounts_earlier_ones<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let (first, second, bobs) = (digest(), digest(), digest());
    let start = now();
    issue_live(&storage, "alice@example.com", &first, start).await;
    issue_live(&storage, "bob@example.com", &bobs, start).await;
    issue_live(&storage, "alice@example.com", &second, start).await;
    assert_eq!(
        holder(&storage, &first, start).await,
        None,
        "the older link stops working"
    );
    assert_eq!(holder(&storage, &second, start).await, Some(alice.id));
    assert_eq!(
        holder(&storage, &bobs, start).await,
        Some(bob.id),
        "other accounts' links are untouched"
    );
}

pub async fn concurrent_requests_leave_one_live_secret<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let start = now();
    let digests: Vec<ResetDigest> = (0..8).map(|_| digest()).collect();
    let requests: Vec<_> = digests
        .iter()
        .cloned()
        .map(|digest| {
            let storage = storage.clone();
            tokio::spawn(async move {
                storage
                    .issue(
                        &email("alice@example.com"),
                        &digest,
                        start,
                        start + TimeDelta::minutes(30),
                    )
                    .await
            })
        })
        .collect();
    for request in futures::future::join_all(requests).await {
        assert!(
            request.expect("task").expect("issue"),
            "alice has an account"
        );
    }
    let mut live = 0;
    for digest in &digests {
        if holder(&storage, digest, start).await == Some(alice.id) {
            live += 1;
        }
    }
    assert_eq!(live, 1, "of 8 concurrent requests, exactly one link works");
}

pub async fn redeeming_sets_the_password_ends_the_sessions_and_spends_the_secret<
    S: StorageUnderTest,
>(
    storage: S,
) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let (secret, bobs) = (digest(), digest());
    let start = now();
    issue_live(&storage, "alice@example.com", &secret, start).await;
    issue_live(&storage, "bob@example.com", &bobs, start).await;
    let old_session = SessionRef {
        key: RevocationKey::new("jti:before-reset".into()),
        user_id: alice.id,
        issued_at: DateTime::from_timestamp(start.timestamp(), 0).expect("in range"),
    };
    assert!(!storage.is_revoked(&old_session).await.expect("is_revoked"));

    let redeemed = storage
        .redeem(&secret, new_hash("new"), start)
        .await
        .expect("redeem")
        .expect("a live secret is redeemed");
    assert_eq!(redeemed.user_id, alice.id);
    assert_eq!(redeemed.sessions_valid_after, sessions_cutoff(start));
    let stored = storage
        .find_by_id(alice.id)
        .await
        .expect("lookup")
        .expect("alice");
    assert_eq!(
        stored.password_hash,
        new_hash("new"),
        "the new password is stored"
    );
    assert_eq!(
        stored.sessions_valid_after,
        Some(redeemed.sessions_valid_after)
    );
    assert!(
        storage.is_revoked(&old_session).await.expect("is_revoked"),
        "the sessions opened before the reset are over"
    );
    assert_eq!(holder(&storage, &secret, start).await, None, "spent");
    assert_eq!(
        storage
            .redeem(&secret, new_hash("again"), start)
            .await
            .expect("redeem"),
        None,
        "a spent secret works once"
    );
    assert_eq!(
        storage
            .find_by_id(alice.id)
            .await
            .expect("lookup")
            .map(|u| u.password_hash),
        Some(new_hash("new")),
        "and the second try changes nothing"
    );
    let bob_now = storage
        .find_by_id(bob.id)
        .await
        .expect("lookup")
        .expect("bob");
    assert_eq!(bob_now.password_hash, bob.password_hash, "bob is untouched");
    assert_eq!(holder(&storage, &bobs, start).await, Some(bob.id));
}

pub async fn an_expired_or_unknown_secret_redeems_nothing<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let secret = digest();
    let start = now();
    issue_live(&storage, "alice@example.com", &secret, start).await;
    for (what, digest, at) in [
        ("expired", secret.clone(), start + TimeDelta::minutes(30)),
        ("unknown", digest(), start),
    ] {
        assert_eq!(
            storage
                .redeem(&digest, new_hash("x"), at)
                .await
                .expect("redeem"),
            None,
            "an {what} secret"
        );
    }
    let stored = storage
        .find_by_id(alice.id)
        .await
        .expect("lookup")
        .expect("alice");
    assert_eq!(stored.password_hash, alice.password_hash, "nothing changed");
    assert_eq!(stored.sessions_valid_after, None, "no session ended");
}

pub async fn concurrent_redemptions_of_one_secret_succeed_once<S: StorageUnderTest>(storage: S) {
    register(&storage, "alice@example.com").await;
    let secret = digest();
    let start = now();
    issue_live(&storage, "alice@example.com", &secret, start).await;
    let attempts: Vec<_> = (0..8)
        .map(|i| {
            let storage = storage.clone();
            let secret = secret.clone();
            tokio::spawn(async move {
                storage
                    .redeem(&secret, new_hash(&format!("try{i}")), start)
                    .await
                    .map(|outcome| outcome.map(|_| i))
            })
        })
        .collect();
    let mut winners = Vec::new();
    for attempt in futures::future::join_all(attempts).await {
        match attempt.expect("redeem task panicked") {
            Ok(Some(i)) => winners.push(i),
            Ok(None) => {}
            Err(error) => panic!("a concurrent redemption failed: {error}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one of 8 concurrent redemptions succeeds"
    );
    let stored = storage
        .find_by_email(&email("alice@example.com"))
        .await
        .expect("lookup")
        .expect("alice");
    assert_eq!(
        stored.password_hash,
        new_hash(&format!("try{}", winners[0])),
        "the winner's password is the one stored"
    );
}

pub async fn purging_deletes_only_expired_secrets<S: StorageUnderTest>(storage: S) {
    register(&storage, "alice@example.com").await;
    register(&storage, "bob@example.com").await;
    let (short, long) = (digest(), digest());
    let start = now();
    issue(
        &storage,
        "alice@example.com",
        &short,
        start,
        TimeDelta::minutes(5),
    )
    .await;
    issue_live(&storage, "bob@example.com", &long, start).await;
    let purged = storage
        .purge_expired_links(start + TimeDelta::minutes(5))
        .await
        .expect("purge");
    assert_eq!(purged, 1, "the one that expired at that instant");
    assert!(
        holder(&storage, &long, start).await.is_some(),
        "the live one stays"
    );
    assert_eq!(
        holder(&storage, &short, start).await,
        None,
        "the expired one is gone"
    );
}

pub async fn deleting_an_account_deletes_its_secrets<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let secret = digest();
    issue(
        &storage,
        "alice@example.com",
        &secret,
        now(),
        TimeDelta::minutes(30),
    )
    .await;
    assert!(
        storage.delete(alice.id).await.expect("delete"),
        "deleted with a live link"
    );
    assert_eq!(holder(&storage, &secret, now()).await, None);
    let again = register(&storage, "alice@example.com").await;
    assert_eq!(
        holder(&storage, &secret, now()).await,
        None,
        "the old link does not open the new account of the same address"
    );
    assert_ne!(again.id, alice.id);
}
