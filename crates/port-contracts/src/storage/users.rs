//! Rules for [`UserRepository`] (and account deletion cascading to calls).

use calls_core::domain::{CallStatus, Email, PasswordHash, User, UserId};
use calls_core::ports::{CallRecords, CreateCallError, CreateUserError, UserRepository};

use super::StorageUnderTest;
use super::fixtures::{at, email, history, new_call, new_user, place, query, register};

pub async fn creates_and_finds_a_user_by_email<S: StorageUnderTest>(storage: S) {
    let new = new_user("alice@example.com");
    let created = UserRepository::create(&storage, new.clone())
        .await
        .expect("creating a new account");
    let expected = User {
        id: new.id,
        email: new.email.clone(),
        password_hash: new.password_hash.clone(),
        created_at: new.created_at,
        sessions_valid_after: None,
    };
    assert_eq!(
        created, expected,
        "create returns the stored account as given"
    );

    let found = storage
        .find_by_email(&email("alice@example.com"))
        .await
        .expect("lookup");
    assert_eq!(found, Some(expected), "the account is found by its email");

    for other in ["bob@example.com", "alice@example.co", "lice@example.com"] {
        assert_eq!(
            storage.find_by_email(&email(other)).await,
            Ok(None),
            "{other} must not match alice@example.com"
        );
    }
}

pub async fn finds_a_user_by_id<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    assert_eq!(storage.find_by_id(alice.id).await, Ok(Some(alice)));
    assert_eq!(storage.find_by_id(bob.id).await, Ok(Some(bob)));
    assert_eq!(
        storage.find_by_id(UserId::new()).await,
        Ok(None),
        "an unknown id finds nothing"
    );
}

pub async fn refuses_a_duplicate_email_in_any_letter_case<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;

    let mut again = new_user("  ALICE@Example.COM ");
    assert_eq!(
        UserRepository::create(&storage, again.clone()).await,
        Err(CreateUserError::EmailTaken),
        "the same address typed in another letter case is taken"
    );
    // An address that bypassed `Email::parse` is still stored (and so compared) in lower case.
    again.id = UserId::new();
    again.email = Email::from_trusted("Alice@Example.com".to_owned());
    assert_eq!(
        UserRepository::create(&storage, again.clone()).await,
        Err(CreateUserError::EmailTaken),
        "a mixed-case address reaching storage is compared in lower case"
    );
    assert_eq!(
        storage.find_by_id(again.id).await,
        Ok(None),
        "a refused registration writes nothing"
    );
    assert_eq!(
        storage
            .find_by_email(&email("alice@example.com"))
            .await
            .expect("lookup")
            .map(|user| user.id),
        Some(alice.id),
        "the first account is untouched"
    );
    register(&storage, "alice2@example.com").await;
}

pub async fn concurrent_registrations_of_one_email_yield_exactly_one_account<
    S: StorageUnderTest,
>(
    storage: S,
) {
    let spellings = [
        "carol@example.com",
        "Carol@Example.com",
        "CAROL@EXAMPLE.COM",
    ];
    let attempts: Vec<_> = (0..20)
        .map(|i| {
            let storage = storage.clone();
            let user = new_user(spellings[i % spellings.len()]);
            tokio::spawn(async move {
                let id = user.id;
                (id, UserRepository::create(&storage, user).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for attempt in futures::future::join_all(attempts).await {
        let (id, result) = attempt.expect("registration task panicked");
        match result {
            Ok(user) => winners.push(user.id),
            Err(CreateUserError::EmailTaken) => {}
            Err(other) => {
                panic!("a concurrent registration failed with {other:?}, not EmailTaken ({id})")
            }
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one of 20 concurrent registrations succeeds"
    );
    let stored = storage
        .find_by_email(&email("carol@example.com"))
        .await
        .expect("lookup")
        .expect("the winner's account exists");
    assert_eq!(stored.id, winners[0], "the stored account is the winner's");
}

pub async fn updates_the_password_hash<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let upgraded =
        PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA".to_owned());

    assert_eq!(
        storage
            .update_password_hash(alice.id, upgraded.clone())
            .await,
        Ok(true),
        "updating an existing account reports it existed"
    );
    let stored = storage
        .find_by_id(alice.id)
        .await
        .expect("lookup")
        .expect("alice exists");
    assert_eq!(stored.password_hash, upgraded, "the new hash is stored");
    assert_eq!(
        User {
            password_hash: alice.password_hash.clone(),
            ..stored
        },
        alice,
        "nothing else changes"
    );
    assert_eq!(
        storage.find_by_id(bob.id).await,
        Ok(Some(bob)),
        "other accounts keep their hash"
    );
    assert_eq!(
        storage.update_password_hash(UserId::new(), upgraded).await,
        Ok(false),
        "an unknown account reports false"
    );
}

pub async fn deleting_a_user_deletes_their_calls<S: StorageUnderTest>(storage: S) {
    let alice = register(&storage, "alice@example.com").await;
    let bob = register(&storage, "bob@example.com").await;
    let alice_call = place(&storage, alice.id, at(0), CallStatus::Completed).await;
    let bob_call = place(&storage, bob.id, at(0), CallStatus::Completed).await;

    assert_eq!(
        storage.delete(alice.id).await,
        Ok(true),
        "deleting an existing account"
    );
    assert_eq!(
        storage.find_by_id(alice.id).await,
        Ok(None),
        "the account is gone"
    );
    assert_eq!(
        storage.get(alice_call.id).await,
        Ok(None),
        "its calls are gone with it"
    );
    let page = history(
        &storage,
        query(alice.id, Default::default(), None, 20, None),
    )
    .await;
    assert_eq!(
        (page.total, page.calls.len()),
        (0, 0),
        "its history is empty"
    );
    assert_eq!(
        storage.get(bob_call.id).await,
        Ok(Some(bob_call)),
        "other users' calls stay"
    );
    assert_eq!(
        CallRecords::create(&storage, new_call(alice.id, at(1), CallStatus::Initiated)).await,
        Err(CreateCallError::UnknownUser),
        "a deleted user cannot get new calls"
    );
}
