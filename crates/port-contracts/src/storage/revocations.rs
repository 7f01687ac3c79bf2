//! Rules for [`RevocationStore`]. `is_revoked` compares with the current time, so these rules use
//! times relative to now, far enough away (an hour) to be immune to slow machines. Its session
//! rules (the user's cutoff, a deleted user) are in [`super::sessions`]; here every session
//! belongs to one registered user, whose sessions were never ended.

use calls_core::domain::UserId;
use calls_core::ports::{RevocationKey, SessionRef};
use chrono::TimeDelta;

use super::StorageUnderTest;
use super::fixtures::{now, register};

fn key(name: &str) -> RevocationKey {
    RevocationKey::new(format!("jti-{name}"))
}

/// The user every session of these rules belongs to.
async fn owner<S: StorageUnderTest>(storage: &S) -> UserId {
    register(storage, "owner@example.com").await.id
}

async fn revoked<S: StorageUnderTest>(storage: &S, name: &str) -> bool {
    let user = storage
        .find_by_email(&super::fixtures::email("owner@example.com"))
        .await
        .expect("lookup")
        .map_or_else(UserId::new, |user| user.id);
    let session = SessionRef {
        key: key(name),
        user_id: user,
        issued_at: now(),
    };
    storage
        .is_revoked(&session)
        .await
        .unwrap_or_else(|error| panic!("is_revoked({name}): {error}"))
}

pub async fn revoked_keys_count_until_they_expire<S: StorageUnderTest>(storage: S) {
    owner(&storage).await;
    let hour = TimeDelta::hours(1);
    storage
        .revoke(&key("live"), now() + hour)
        .await
        .expect("revoke");
    storage
        .revoke(&key("expired"), now() - hour)
        .await
        .expect("revoke");
    assert!(
        revoked(&storage, "live").await,
        "a revoked token is revoked"
    );
    assert!(
        !revoked(&storage, "never").await,
        "an unknown token is not revoked"
    );
    assert!(
        !revoked(&storage, "expired").await,
        "an expired revocation no longer counts, even before it is purged"
    );
    assert!(!revoked(&storage, "LIVE").await, "keys are exact");
}

pub async fn revoking_again_keeps_the_later_expiry<S: StorageUnderTest>(storage: S) {
    owner(&storage).await;
    let hour = TimeDelta::hours(1);
    let later = now() + hour * 2;
    storage
        .revoke(&key("a"), later)
        .await
        .expect("first revoke");
    storage
        .revoke(&key("a"), later)
        .await
        .expect("revoking twice is no error");
    storage
        .revoke(&key("a"), now() - hour)
        .await
        .expect("revoking with an earlier expiry is no error");
    assert!(
        revoked(&storage, "a").await,
        "an earlier expiry does not shorten a revocation"
    );
    assert_eq!(
        storage.purge_expired(now() + hour).await,
        Ok(0),
        "the stored expiry is still the later one"
    );
    assert!(revoked(&storage, "a").await);

    storage
        .revoke(&key("b"), now() - hour)
        .await
        .expect("revoke");
    storage
        .revoke(&key("b"), now() + hour)
        .await
        .expect("revoke again");
    assert!(
        revoked(&storage, "b").await,
        "a later expiry extends the revocation"
    );
}

pub async fn purge_deletes_only_expired_revocations<S: StorageUnderTest>(storage: S) {
    owner(&storage).await;
    let hour = TimeDelta::hours(1);
    let cutoff = now();
    storage
        .revoke(&key("old"), cutoff - hour * 2)
        .await
        .expect("revoke");
    storage
        .revoke(&key("older"), cutoff - hour)
        .await
        .expect("revoke");
    storage
        .revoke(&key("boundary"), cutoff)
        .await
        .expect("revoke");
    storage
        .revoke(&key("live"), cutoff + hour)
        .await
        .expect("revoke");

    assert_eq!(
        storage.purge_expired(cutoff).await,
        Ok(2),
        "rows that expired strictly before `now` are deleted"
    );
    assert_eq!(
        storage.purge_expired(cutoff).await,
        Ok(0),
        "purging again deletes nothing"
    );
    assert_eq!(
        storage
            .purge_expired(cutoff + TimeDelta::microseconds(1))
            .await,
        Ok(1),
        "the row expiring exactly at the earlier cutoff was kept until now"
    );
    assert!(
        revoked(&storage, "live").await,
        "live revocations survive purges"
    );
}
