//! Use-case tests of account deletion with mockall mocks: the orderings the API tests cannot
//! observe (nothing deleted before the password is confirmed and the calls are ended).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::*;
use crate::domain::{CallStatus, DestinationPolicy, Email, PasswordHash, User, UserId};
use crate::ports::{
    AdmittedAttempt, HangUpError, MockCommonPasswords, MockLoginThrottle, MockPasswordHasher,
    MockRevocationStore, MockTokenIssuer, MockUserRepository, MockVoiceProvider, PasswordCheck,
    RevocationKey,
};
use crate::services::fixtures::{MockCallStorage, call_of, clock, now};
use crate::services::{AuthDeps, CallLimits, VoiceDeps};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9));

fn alice() -> User {
    User {
        id: UserId::new(),
        email: Email::parse("alice@example.com").expect("valid"),
        password_hash: PasswordHash::new("$argon2id$stored".into()),
        created_at: now(),
        sessions_valid_after: None,
    }
}

fn token_of(user: &User) -> VerifiedToken {
    VerifiedToken {
        user_id: user.id,
        email: user.email.to_string(),
        expires_at: Utc::now() + chrono::Duration::hours(1),
        revocation_key: RevocationKey::new("jti:del".into()),
        issued_at: now(),
    }
}

fn admitting() -> MockLoginThrottle {
    let mut throttle = MockLoginThrottle::new();
    throttle
        .expect_admit()
        .times(1)
        .returning(|account, client, at| {
            Ok(AdmittedAttempt {
                account: account.clone(),
                client,
                at,
            })
        });
    throttle
}

fn service(
    users: MockUserRepository,
    matches: bool,
    throttle: MockLoginThrottle,
    calls: MockCallStorage,
    provider: MockVoiceProvider,
) -> AccountService {
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_verify().times(1).returning(move |_, _| {
        Ok(if matches {
            PasswordCheck::Match {
                needs_rehash: false,
            }
        } else {
            PasswordCheck::Mismatch
        })
    });
    let auth = AuthService::new(AuthDeps {
        users: Arc::new(users),
        hasher: Arc::new(hasher),
        common_passwords: Arc::new(MockCommonPasswords::new()),
        tokens: Arc::new(MockTokenIssuer::new()),
        revocations: Arc::new(MockRevocationStore::new()),
        throttle: Arc::new(throttle),
        clock: clock(),
    });
    let ports = calls.into_ports();
    let voice = VoiceService::new(VoiceDeps {
        calls: ports.records,
        usage: ports.usage,
        sweeps: ports.sweeps,
        provider: Arc::new(provider),
        clock: clock(),
        destinations: DestinationPolicy::allow_all(),
        limits: CallLimits::default(),
        provider_timeout: Duration::from_millis(200),
        link_window: Duration::from_secs(120),
    });
    AccountService::new(auth, voice)
}

fn finding(user: &User) -> MockUserRepository {
    let mut users = MockUserRepository::new();
    let stored = user.clone();
    users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(stored.clone())));
    users
}

#[tokio::test]
async fn a_wrong_password_reaches_neither_the_calls_nor_the_deletion() {
    let user = alice();
    let mut users = finding(&user);
    users.expect_delete().never();
    let mut calls = MockCallStorage::default();
    calls.records.expect_unfinished_of().never();
    let service = service(users, false, admitting(), calls, MockVoiceProvider::new());
    let err = service
        .delete_account(&token_of(&user), "wrong".into(), CLIENT)
        .await
        .expect_err("wrong password");
    assert!(matches!(err, DeleteAccountError::WrongPassword), "{err:?}");
}

#[tokio::test]
async fn a_call_the_provider_cannot_end_stops_the_deletion() {
    let user = alice();
    let mut users = finding(&user);
    users.expect_delete().never();
    let mut throttle = admitting();
    throttle.expect_succeeded().returning(|_| Ok(()));
    throttle.expect_forget_account().never();
    let mut calls = MockCallStorage::default();
    let call = crate::domain::Call {
        session_id: Some("CA-live".into()),
        ..call_of(user.id, CallStatus::Active)
    };
    let listed = call.clone();
    calls
        .records
        .expect_unfinished_of()
        .returning(move |_| Ok(vec![listed.clone()]));
    calls
        .records
        .expect_get()
        .returning(move |_| Ok(Some(call.clone())));
    calls.records.expect_transition().never();
    let mut provider = MockVoiceProvider::new();
    provider
        .expect_hang_up()
        .times(1)
        .returning(|_| Err(HangUpError::Unavailable("down".into())));
    let service = service(users, true, throttle, calls, provider);
    let err = service
        .delete_account(&token_of(&user), "right".into(), CLIENT)
        .await
        .expect_err("provider down");
    assert!(
        matches!(err, DeleteAccountError::ProviderUnavailable(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_account_goes_after_its_calls_and_then_its_login_failures() {
    let user = alice();
    let mut users = finding(&user);
    let user_id = user.id;
    users
        .expect_delete()
        .withf(move |id| *id == user_id)
        .times(1)
        .returning(|_| Ok(true));
    let mut throttle = admitting();
    throttle.expect_succeeded().times(1).returning(|_| Ok(()));
    throttle
        .expect_forget_account()
        .withf(|email| email.as_str() == "alice@example.com")
        .times(1)
        .returning(|_| Ok(()));
    let mut calls = MockCallStorage::default();
    calls
        .records
        .expect_unfinished_of()
        .returning(|_| Ok(Vec::new()));
    let service = service(users, true, throttle, calls, MockVoiceProvider::new());
    service
        .delete_account(&token_of(&user), "right".into(), CLIENT)
        .await
        .expect("deleted");
}
