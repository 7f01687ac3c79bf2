//! Use-case tests of the account flows, with mockall mocks of every port.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use mockall::predicate::eq;

use super::*;
use crate::domain::PasswordHash;
use crate::ports::{
    AdmittedAttempt, MockClock, MockCommonPasswords, MockLoginThrottle, MockPasswordHasher,
    MockRevocationStore, MockTokenIssuer, MockUserRepository, RevocationKey,
};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
        .single()
        .expect("valid time")
}

struct Mocks {
    users: MockUserRepository,
    hasher: MockPasswordHasher,
    common: MockCommonPasswords,
    tokens: MockTokenIssuer,
    revocations: MockRevocationStore,
    throttle: MockLoginThrottle,
}

impl Mocks {
    fn new() -> Self {
        let mut common = MockCommonPasswords::new();
        common.expect_is_common().returning(|_| false);
        let mut tokens = MockTokenIssuer::new();
        tokens.expect_issue().returning(|_, now| {
            Ok(IssuedToken {
                token: "signed".into(),
                expires_at: now + chrono::Duration::hours(24),
            })
        });
        Self {
            users: MockUserRepository::new(),
            hasher: MockPasswordHasher::new(),
            common,
            tokens,
            revocations: MockRevocationStore::new(),
            throttle: admitting(),
        }
    }

    fn service(self) -> AuthService {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        AuthService::new(AuthDeps {
            users: Arc::new(self.users),
            hasher: Arc::new(self.hasher),
            common_passwords: Arc::new(self.common),
            tokens: Arc::new(self.tokens),
            revocations: Arc::new(self.revocations),
            throttle: Arc::new(self.throttle),
            clock: Arc::new(clock),
        })
    }
}

/// A throttle that admits every attempt and expects no settlement: a test of a path that
/// settles adds its expectation.
fn admitting() -> MockLoginThrottle {
    let mut throttle = MockLoginThrottle::new();
    throttle.expect_admit().returning(|account, client, at| {
        Ok(AdmittedAttempt {
            account: account.clone(),
            client,
            at,
        })
    });
    throttle.expect_succeeded().never();
    throttle.expect_withdraw().never();
    throttle
}

/// [`admitting`], checking that exactly one attempt is admitted, for this account and client
/// at the clock's time.
fn admitting_once(expected_account: &'static str) -> MockLoginThrottle {
    let mut throttle = MockLoginThrottle::new();
    throttle
        .expect_admit()
        .withf(move |account, client, at| {
            account.as_str() == expected_account && *client == CLIENT && *at == now()
        })
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

fn stored_user(hash: &str) -> User {
    User {
        id: UserId::new(),
        email: Email::parse("alice@example.com").expect("valid"),
        password_hash: PasswordHash::new(hash.into()),
        created_at: now(),
        sessions_valid_after: None,
    }
}

#[tokio::test]
async fn register_hashes_the_password_and_stores_the_normalized_email() {
    let mut mocks = Mocks::new();
    mocks.users.expect_find_by_email().returning(|_| Ok(None));
    mocks
        .hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::new("$argon2id$h".into())));
    mocks.users.expect_create().times(1).returning(|new_user| {
        assert_eq!(new_user.email.as_str(), "alice@example.com");
        assert_eq!(new_user.password_hash.as_str(), "$argon2id$h");
        Ok(User {
            id: new_user.id,
            email: new_user.email,
            password_hash: new_user.password_hash,
            created_at: new_user.created_at,
            sessions_valid_after: None,
        })
    });
    let session = mocks
        .service()
        .register(" Alice@Example.com ", "a long passphrase".into())
        .await
        .expect("registered");
    assert_eq!(session.user.email.as_str(), "alice@example.com");
    assert_eq!(session.token.token, "signed");
}

#[tokio::test]
async fn register_refuses_common_passwords_before_hashing() {
    let mut mocks = Mocks::new();
    mocks.common = MockCommonPasswords::new();
    mocks.common.expect_is_common().returning(|_| true);
    mocks.hasher.expect_hash().never();
    mocks.users.expect_create().never();
    let err = mocks
        .service()
        .register("alice@example.com", "password1".into())
        .await
        .expect_err("refused");
    assert!(
        matches!(
            err,
            RegisterError::InvalidPassword(PasswordError::TooCommon)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn register_maps_a_lost_race_to_email_taken() {
    let mut mocks = Mocks::new();
    mocks.users.expect_find_by_email().returning(|_| Ok(None));
    mocks
        .hasher
        .expect_hash()
        .returning(|_| Ok(PasswordHash::new("$argon2id$h".into())));
    mocks
        .users
        .expect_create()
        .returning(|_| Err(CreateUserError::EmailTaken));
    let err = mocks
        .service()
        .register("alice@example.com", "a long passphrase".into())
        .await
        .expect_err("taken");
    assert!(matches!(err, RegisterError::EmailTaken), "{err:?}");
}

#[tokio::test]
async fn register_of_an_existing_email_costs_no_hash() {
    let mut mocks = Mocks::new();
    mocks
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_user("$argon2id$x"))));
    mocks.hasher.expect_hash().never();
    let err = mocks
        .service()
        .register("ALICE@example.com", "a long passphrase".into())
        .await
        .expect_err("taken");
    assert!(matches!(err, RegisterError::EmailTaken), "{err:?}");
}

#[tokio::test]
async fn unknown_email_burns_a_dummy_verification_and_counts_a_failure() {
    let mut mocks = Mocks::new();
    mocks.users.expect_find_by_email().returning(|_| Ok(None));
    mocks
        .hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| ());
    // Admitted once and left counted: no settlement follows a failure.
    mocks.throttle = admitting_once("nobody@example.com");
    mocks.throttle.expect_succeeded().never();
    mocks.throttle.expect_withdraw().never();
    let err = mocks
        .service()
        .login("nobody@example.com", "whatever123".into(), CLIENT)
        .await
        .expect_err("refused");
    assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn wrong_password_is_the_same_error_as_unknown_email() {
    let mut mocks = Mocks::new();
    mocks
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_user("$argon2id$x"))));
    mocks
        .hasher
        .expect_verify()
        .returning(|_, _| Ok(PasswordCheck::Mismatch));
    mocks.throttle = admitting_once("alice@example.com");
    mocks.throttle.expect_succeeded().never();
    mocks.throttle.expect_withdraw().never();
    mocks.tokens.expect_issue().never();
    let err = mocks
        .service()
        .login("alice@example.com", "wrong password".into(), CLIENT)
        .await
        .expect_err("refused");
    assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
}

#[tokio::test]
async fn legacy_hash_is_upgraded_after_a_successful_login() {
    let mut mocks = Mocks::new();
    let user = stored_user("$2a$10$legacy");
    let user_id = user.id;
    mocks
        .users
        .expect_find_by_email()
        .returning(move |_| Ok(Some(user.clone())));
    mocks
        .hasher
        .expect_verify()
        .returning(|_, _| Ok(PasswordCheck::Match { needs_rehash: true }));
    mocks
        .hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::new("$argon2id$new".into())));
    mocks
        .users
        .expect_update_password_hash()
        .with(eq(user_id), eq(PasswordHash::new("$argon2id$new".into())))
        .times(1)
        .returning(|_, _| Ok(true));
    mocks.throttle = admitting_once("alice@example.com");
    mocks
        .throttle
        .expect_succeeded()
        .withf(|attempt| attempt.account.as_str() == "alice@example.com" && attempt.at == now())
        .times(1)
        .returning(|_| Ok(()));
    mocks.throttle.expect_withdraw().never();
    let session = mocks
        .service()
        .login("alice@example.com", "right password".into(), CLIENT)
        .await
        .expect("logged in");
    assert_eq!(session.user.id, user_id);
}

#[tokio::test]
async fn current_hash_is_not_rewritten() {
    let mut mocks = Mocks::new();
    mocks
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_user("$argon2id$x"))));
    mocks.hasher.expect_verify().returning(|_, _| {
        Ok(PasswordCheck::Match {
            needs_rehash: false,
        })
    });
    mocks.hasher.expect_hash().never();
    mocks.users.expect_update_password_hash().never();
    mocks.throttle = admitting_once("alice@example.com");
    mocks
        .throttle
        .expect_succeeded()
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .service()
        .login("alice@example.com", "right password".into(), CLIENT)
        .await
        .expect("logged in");
}

/// The refusal pause: a throttled login is answered only after it, an admitted one is not
/// delayed by it (the paused clock makes the waits exact).
#[tokio::test(start_paused = true)]
async fn a_refused_login_is_answered_after_the_refusal_pause_and_no_other() {
    let pause = Duration::from_millis(20);
    let mut refusing = Mocks::new();
    refusing.throttle = MockLoginThrottle::new();
    refusing.throttle.expect_admit().returning(|_, _, _| {
        Err(AdmitError::Throttled(Throttled {
            retry_after: Duration::from_secs(42),
        }))
    });
    let started = tokio::time::Instant::now();
    let err = refusing
        .service()
        .with_refusal_pause(pause)
        .login("alice@example.com", "anything1".into(), CLIENT)
        .await
        .expect_err("throttled");
    assert!(matches!(err, LoginError::Throttled(_)), "{err:?}");
    assert_eq!(started.elapsed(), pause);

    let mut unknown = Mocks::new();
    unknown.users.expect_find_by_email().returning(|_| Ok(None));
    unknown.hasher.expect_verify_dummy().returning(|_| ());
    let started = tokio::time::Instant::now();
    let err = unknown
        .service()
        .with_refusal_pause(pause)
        .login("nobody@example.com", "anything1".into(), CLIENT)
        .await
        .expect_err("unknown account");
    assert!(matches!(err, LoginError::InvalidCredentials), "{err:?}");
    assert_eq!(started.elapsed(), Duration::ZERO, "only refusals pause");
}

#[tokio::test]
async fn throttled_logins_are_refused_before_any_lookup() {
    let mut mocks = Mocks::new();
    mocks.throttle = MockLoginThrottle::new();
    mocks.throttle.expect_admit().returning(|_, _, _| {
        Err(AdmitError::Throttled(Throttled {
            retry_after: Duration::from_secs(42),
        }))
    });
    mocks.throttle.expect_succeeded().never();
    mocks.throttle.expect_withdraw().never();
    mocks.users.expect_find_by_email().never();
    let err = mocks
        .service()
        .login("alice@example.com", "anything1".into(), CLIENT)
        .await
        .expect_err("throttled");
    assert!(
        matches!(err, LoginError::Throttled(t) if t.retry_after == Duration::from_secs(42)),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_throttle_store_refuses_the_login_as_unavailable() {
    let mut mocks = Mocks::new();
    mocks.throttle = MockLoginThrottle::new();
    mocks.throttle.expect_admit().returning(|_, _, _| {
        Err(AdmitError::Storage(StorageError::unavailable(
            "no connection",
        )))
    });
    mocks.users.expect_find_by_email().never();
    mocks.hasher.expect_verify().never();
    mocks.hasher.expect_verify_dummy().never();
    let err = mocks
        .service()
        .login("alice@example.com", "right password".into(), CLIENT)
        .await
        .expect_err("unavailable");
    assert!(
        matches!(&err, LoginError::Storage(storage) if storage.is_unavailable()),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_attempt_the_user_store_could_not_judge_is_withdrawn() {
    let mut mocks = Mocks::new();
    mocks.throttle = admitting_once("alice@example.com");
    mocks
        .throttle
        .expect_withdraw()
        .withf(|attempt| {
            attempt.account.as_str() == "alice@example.com" && attempt.client == CLIENT
        })
        .times(1)
        .returning(|_| Ok(()));
    mocks.throttle.expect_succeeded().never();
    mocks
        .users
        .expect_find_by_email()
        .returning(|_| Err(StorageError::unavailable("no connection")));
    let err = mocks
        .service()
        .login("alice@example.com", "right password".into(), CLIENT)
        .await
        .expect_err("unavailable");
    assert!(matches!(err, LoginError::Storage(_)), "{err:?}");
}

#[tokio::test]
async fn an_attempt_the_hasher_could_not_judge_is_withdrawn() {
    let mut mocks = Mocks::new();
    mocks.throttle = admitting_once("alice@example.com");
    mocks
        .throttle
        .expect_withdraw()
        .times(1)
        .returning(|_| Ok(()));
    mocks.throttle.expect_succeeded().never();
    mocks
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_user("$argon2id$x"))));
    mocks
        .hasher
        .expect_verify()
        .returning(|_, _| Err(HashingError::Failed("pool gone".into())));
    let err = mocks
        .service()
        .login("alice@example.com", "right password".into(), CLIENT)
        .await
        .expect_err("hashing failed");
    assert!(matches!(err, LoginError::Hashing(_)), "{err:?}");
}

#[tokio::test]
async fn a_right_password_logs_in_even_when_clearing_the_failures_fails() {
    let mut mocks = Mocks::new();
    mocks.throttle = admitting_once("alice@example.com");
    mocks
        .throttle
        .expect_succeeded()
        .times(1)
        .returning(|_| Err(StorageError::unavailable("no connection")));
    mocks.throttle.expect_withdraw().never();
    mocks
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_user("$argon2id$x"))));
    mocks.hasher.expect_verify().returning(|_, _| {
        Ok(PasswordCheck::Match {
            needs_rehash: false,
        })
    });
    let session = mocks
        .service()
        .login("alice@example.com", "right password".into(), CLIENT)
        .await
        .expect("logged in");
    assert_eq!(session.user.email.as_str(), "alice@example.com");
}

#[tokio::test]
async fn purging_login_failures_asks_the_throttle_with_the_clock_time() {
    let mut mocks = Mocks::new();
    mocks.throttle = MockLoginThrottle::new();
    mocks
        .throttle
        .expect_purge_expired()
        .with(eq(now()))
        .times(1)
        .returning(|_| Ok(7));
    let purged = mocks
        .service()
        .purge_expired_login_failures()
        .await
        .expect("purged");
    assert_eq!(purged, 7);
}

fn verified(key: &str) -> VerifiedToken {
    VerifiedToken {
        user_id: UserId::new(),
        email: "alice@example.com".into(),
        expires_at: now() + chrono::Duration::hours(1),
        revocation_key: RevocationKey::new(key.into()),
        issued_at: now(),
    }
}

#[tokio::test]
async fn revoked_tokens_do_not_authenticate() {
    let mut mocks = Mocks::new();
    mocks
        .tokens
        .expect_verify()
        .returning(|_, _| Ok(verified("jti:1")));
    mocks
        .revocations
        .expect_is_revoked()
        .returning(|session| Ok(session.key.as_str() == "jti:1"));
    let err = mocks
        .service()
        .authenticate("token")
        .await
        .expect_err("revoked");
    assert!(matches!(err, AuthenticateError::Unauthorized));
}

#[tokio::test]
async fn invalid_tokens_never_reach_storage() {
    let mut mocks = Mocks::new();
    mocks
        .tokens
        .expect_verify()
        .returning(|_, _| Err(TokenError::Invalid("bad signature".into())));
    mocks.revocations.expect_is_revoked().never();
    let err = mocks
        .service()
        .authenticate("token")
        .await
        .expect_err("invalid");
    assert!(matches!(err, AuthenticateError::Unauthorized));
}

#[tokio::test]
async fn logout_revokes_until_the_token_expires() {
    let mut mocks = Mocks::new();
    let token = verified("jti:abc");
    let expires_at = token.expires_at;
    mocks
        .revocations
        .expect_revoke()
        .withf(move |key, until| key.as_str() == "jti:abc" && *until == expires_at)
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.service().logout(&token).await.expect("logged out");
}

#[tokio::test]
async fn verify_signature_checks_the_token_but_not_the_revocations() {
    let mut mocks = Mocks::new();
    let token = verified("jti:sig");
    let user_id = token.user_id;
    mocks
        .tokens
        .expect_verify()
        .returning(move |_, _| Ok(token.clone()));
    mocks.revocations.expect_is_revoked().never();
    let signed = mocks
        .service()
        .verify_signature("token")
        .expect("valid signature");
    assert_eq!(signed.user_id(), user_id);
    assert_eq!(signed.session().key.as_str(), "jti:sig");
    assert_eq!(signed.session().user_id, user_id);
}

#[tokio::test]
async fn ensure_not_revoked_refuses_a_logged_out_signed_token() {
    let mut mocks = Mocks::new();
    mocks
        .tokens
        .expect_verify()
        .returning(|_, _| Ok(verified("jti:out")));
    mocks
        .revocations
        .expect_is_revoked()
        .times(1)
        .returning(|session| Ok(session.key.as_str() == "jti:out"));
    let service = mocks.service();
    let signed = service.verify_signature("token").expect("valid signature");
    let err = service
        .ensure_not_revoked(&signed)
        .await
        .expect_err("revoked");
    assert!(matches!(err, AuthenticateError::Unauthorized));
}

mod sessions;
