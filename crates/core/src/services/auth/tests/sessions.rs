//! Use-case tests of ending sessions: logout-all, the password change and the password check
//! they share with account deletion.

use chrono::TimeDelta;

use super::*;

/// A live token of `user`.
fn token_of(user: &User) -> VerifiedToken {
    VerifiedToken {
        user_id: user.id,
        ..verified("jti:session")
    }
}

const NEW: &str = "violet harbour ninety-three slowly";

#[tokio::test]
async fn logout_all_ends_the_sessions_at_the_clocks_time() {
    let mut mocks = Mocks::new();
    let token = verified("jti:all");
    let user_id = token.user_id;
    mocks
        .users
        .expect_end_all_sessions()
        .with(eq(user_id), eq(now()))
        .times(1)
        .returning(|_, at| Ok(Some(at + TimeDelta::seconds(1))));
    mocks.service().logout_all(&token).await.expect("ended");
}

#[tokio::test]
async fn logout_all_of_a_deleted_account_is_refused() {
    let mut mocks = Mocks::new();
    mocks
        .users
        .expect_end_all_sessions()
        .returning(|_, _| Ok(None));
    let err = mocks
        .service()
        .logout_all(&verified("jti:gone"))
        .await
        .expect_err("gone");
    assert!(matches!(err, LogoutAllError::AccountGone));
}

#[tokio::test]
async fn a_new_password_breaking_the_rules_is_refused_before_anything_is_counted() {
    let mut mocks = Mocks::new();
    mocks.users.expect_find_by_id().never();
    mocks.throttle = MockLoginThrottle::new();
    mocks.throttle.expect_admit().never();
    let user = stored_user("$argon2id$old");
    let err = mocks
        .service()
        .change_password(&token_of(&user), "whatever".into(), "short".into(), CLIENT)
        .await
        .expect_err("too short");
    assert!(
        matches!(
            err,
            ChangePasswordError::InvalidNewPassword(PasswordError::TooShort)
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("new_password: "), "{err}");
}

#[tokio::test]
async fn a_wrong_current_password_changes_nothing_and_stays_counted() {
    let mut mocks = Mocks::new();
    let user = stored_user("$argon2id$old");
    let stored = user.clone();
    mocks
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(stored.clone())));
    mocks
        .hasher
        .expect_verify()
        .times(1)
        .returning(|_, _| Ok(PasswordCheck::Mismatch));
    mocks.hasher.expect_hash().never();
    mocks.users.expect_change_password().never();
    // Admitted once; neither cleared nor taken back: the failure counts.
    mocks.throttle = admitting_once("alice@example.com");
    let err = mocks
        .service()
        .change_password(&token_of(&user), "wrong".into(), NEW.into(), CLIENT)
        .await
        .expect_err("wrong password");
    assert!(matches!(err, ChangePasswordError::WrongPassword), "{err:?}");
}

#[tokio::test]
async fn a_throttled_account_is_refused_without_checking_the_password() {
    let mut mocks = Mocks::new();
    let user = stored_user("$argon2id$old");
    let stored = user.clone();
    mocks
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(stored.clone())));
    mocks.hasher.expect_verify().never();
    mocks.throttle = MockLoginThrottle::new();
    mocks.throttle.expect_admit().returning(|_, _, _| {
        Err(AdmitError::Throttled(Throttled {
            retry_after: Duration::from_secs(60),
        }))
    });
    let err = mocks
        .service()
        .change_password(&token_of(&user), "right".into(), NEW.into(), CLIENT)
        .await
        .expect_err("throttled");
    assert!(matches!(err, ChangePasswordError::Throttled(_)), "{err:?}");
}

#[tokio::test]
async fn a_password_change_stores_the_hash_and_signs_at_the_cutoff() {
    let mut mocks = Mocks::new();
    let user = stored_user("$argon2id$old");
    let stored = user.clone();
    let cutoff = now() + TimeDelta::seconds(1);
    mocks
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(stored.clone())));
    mocks.hasher.expect_verify().returning(|_, _| {
        Ok(PasswordCheck::Match {
            needs_rehash: false,
        })
    });
    mocks
        .hasher
        .expect_hash()
        .withf(|password| password.expose() == NEW)
        .times(1)
        .returning(|_| Ok(PasswordHash::new("$argon2id$new".into())));
    let user_id = user.id;
    mocks
        .users
        .expect_change_password()
        .withf(move |id, hash, at| {
            *id == user_id && hash.as_str() == "$argon2id$new" && *at == now()
        })
        .times(1)
        .returning(move |_, _, _| Ok(Some(cutoff)));
    mocks.tokens = MockTokenIssuer::new();
    mocks
        .tokens
        .expect_issue()
        .withf(move |user, _| user.sessions_valid_after == Some(cutoff))
        .times(1)
        .returning(|_, now| {
            Ok(IssuedToken {
                token: "fresh".into(),
                expires_at: now + chrono::Duration::hours(24),
            })
        });
    let mut throttle = admitting_once("alice@example.com");
    throttle.expect_succeeded().times(1).returning(|_| Ok(()));
    mocks.throttle = throttle;
    let session = mocks
        .service()
        .change_password(&token_of(&user), "right".into(), NEW.into(), CLIENT)
        .await
        .expect("changed");
    assert_eq!(session.token.token, "fresh");
    assert_eq!(session.user.password_hash.as_str(), "$argon2id$new");
}
