//! Use-case tests of password resets, with mockall mocks of every port: what is stored, what
//! is mailed, and what is never reached on each refusal.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;

use super::*;
use crate::domain::{PasswordHash, ResetDigest, User, UserId};
use crate::ports::{
    AdmittedAttempt, IssuedToken, MailQueueFull, MailText, MockCommonPasswords, MockLoginThrottle,
    MockMailTemplates, MockMailer, MockPasswordHasher, MockPasswordResetTokens,
    MockRevocationStore, MockTokenIssuer, MockUserRepository, RedeemedReset,
};
use crate::services::AuthDeps;
use crate::services::fixtures::{clock, now};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 20));
const LINK_BASE: &str = "https://app.example/reset";
const NEW_PASSWORD: &str = "amber lantern sixty-one quietly";

fn alice() -> User {
    User {
        id: UserId::new(),
        email: Email::parse("alice@example.com").expect("valid"),
        password_hash: PasswordHash::new("$argon2id$old".into()),
        created_at: now(),
        sessions_valid_after: None,
    }
}

struct Mocks {
    users: MockUserRepository,
    hasher: MockPasswordHasher,
    login_throttle: MockLoginThrottle,
    tokens: MockPasswordResetTokens,
    mailer: MockMailer,
    templates: MockMailTemplates,
    reset_throttle: MockLoginThrottle,
    issued: MockTokenIssuer,
}

impl Mocks {
    /// Nothing is expected: each test states what may happen.
    fn new() -> Self {
        Self {
            users: MockUserRepository::new(),
            hasher: MockPasswordHasher::new(),
            login_throttle: MockLoginThrottle::new(),
            tokens: MockPasswordResetTokens::new(),
            mailer: MockMailer::new(),
            templates: MockMailTemplates::new(),
            reset_throttle: MockLoginThrottle::new(),
            issued: MockTokenIssuer::new(),
        }
    }

    fn admitting_requests(mut self) -> Self {
        self.reset_throttle
            .expect_admit()
            .withf(|account, client, at| {
                account.as_str() == "alice@example.com" && *client == CLIENT && *at == now()
            })
            .times(1)
            .returning(|account, client, at| {
                Ok(AdmittedAttempt {
                    account: account.clone(),
                    client,
                    at,
                })
            });
        // A request is never settled: it counts, whatever became of it.
        self.reset_throttle.expect_succeeded().never();
        self.reset_throttle.expect_withdraw().never();
        self
    }

    fn service(self) -> PasswordResetService {
        let mut common = MockCommonPasswords::new();
        common
            .expect_is_common()
            .returning(|password| password.expose().starts_with("password"));
        let auth = AuthService::new(AuthDeps {
            users: Arc::new(self.users),
            hasher: Arc::new(self.hasher),
            common_passwords: Arc::new(common),
            tokens: Arc::new(self.issued),
            revocations: Arc::new(MockRevocationStore::new()),
            throttle: Arc::new(self.login_throttle),
            clock: clock(),
        });
        PasswordResetService::new(
            auth,
            PasswordResetDeps {
                tokens: Arc::new(self.tokens),
                mailer: Arc::new(self.mailer),
                templates: Arc::new(self.templates),
                throttle: Arc::new(self.reset_throttle),
                link: ResetLinkTemplate::parse(LINK_BASE).expect("valid"),
                lifetime: Duration::from_secs(30 * 60),
            },
        )
    }
}

fn templates_writing_the_link() -> MockMailTemplates {
    let mut templates = MockMailTemplates::new();
    templates
        .expect_password_reset()
        .returning(|language, link, minutes| MailText {
            subject: format!("reset ({})", language.tag()),
            text: format!("open {link} within {minutes} minutes"),
        });
    templates
}

#[tokio::test]
async fn a_request_for_an_account_stores_a_digest_and_mails_the_matching_link() {
    let mut mocks = Mocks::new().admitting_requests();
    let stored: Arc<Mutex<Option<ResetDigest>>> = Arc::default();
    let stored_by_issue = stored.clone();
    mocks
        .tokens
        .expect_issue()
        .times(1)
        .returning(move |email, digest, created_at, expires_at| {
            assert_eq!(email.as_str(), "alice@example.com");
            assert_eq!(created_at, now());
            assert_eq!(expires_at, now() + TimeDelta::minutes(30));
            *stored_by_issue.lock().unwrap() = Some(digest.clone());
            Ok(true)
        });
    mocks.templates = templates_writing_the_link();
    let mailed: Arc<Mutex<Vec<OutgoingMail>>> = Arc::default();
    let outbox = mailed.clone();
    mocks
        .mailer
        .expect_send_later()
        .times(1)
        .returning(move |mail| {
            outbox.lock().unwrap().push(mail);
            Ok(())
        });
    mocks
        .service()
        .request(" Alice@Example.com ", NameLanguage::Russian, CLIENT)
        .await
        .expect("accepted");

    let mail = mailed.lock().unwrap().pop().expect("one mail");
    assert_eq!(mail.to.as_str(), "alice@example.com");
    assert_eq!(mail.subject, "reset (ru)");
    assert!(mail.text.ends_with("within 30 minutes"), "{}", mail.text);
    let link = mail.text.split(' ').nth(1).expect("a link");
    let secret = link
        .strip_prefix(&format!("{LINK_BASE}?token="))
        .expect("the configured base");
    let secret = ResetSecret::parse(secret).expect("a well-formed secret");
    // What is stored is the digest of what is mailed, and nothing else.
    assert_eq!(Some(secret.digest()), *stored.lock().unwrap());
    assert_ne!(secret.digest().as_str(), secret.expose());
}

#[tokio::test]
async fn a_request_for_an_unknown_address_is_accepted_and_mails_nothing() {
    let mut mocks = Mocks::new().admitting_requests();
    mocks
        .tokens
        .expect_issue()
        .times(1)
        .returning(|_, _, _, _| Ok(false));
    mocks.templates.expect_password_reset().never();
    mocks.mailer.expect_send_later().never();
    mocks
        .service()
        .request("alice@example.com", NameLanguage::English, CLIENT)
        .await
        .expect("same answer as for an account");
}

#[tokio::test]
async fn a_throttled_request_stores_and_mails_nothing() {
    let mut mocks = Mocks::new();
    mocks
        .reset_throttle
        .expect_admit()
        .times(1)
        .returning(|_, _, _| {
            Err(AdmitError::Throttled(Throttled {
                retry_after: Duration::from_secs(600),
            }))
        });
    mocks.tokens.expect_issue().never();
    mocks.mailer.expect_send_later().never();
    let err = mocks
        .service()
        .request("alice@example.com", NameLanguage::English, CLIENT)
        .await
        .expect_err("throttled");
    assert!(
        matches!(err, RequestResetError::Throttled(t) if t.retry_after == Duration::from_secs(600)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_malformed_address_is_refused_before_it_is_counted() {
    let mut mocks = Mocks::new();
    mocks.reset_throttle.expect_admit().never();
    let err = mocks
        .service()
        .request("not an address", NameLanguage::English, CLIENT)
        .await
        .expect_err("invalid");
    assert!(matches!(err, RequestResetError::InvalidEmail(_)), "{err:?}");
}

#[tokio::test]
async fn a_full_mail_queue_does_not_fail_the_request() {
    let mut mocks = Mocks::new().admitting_requests();
    mocks.tokens.expect_issue().returning(|_, _, _, _| Ok(true));
    mocks.templates = templates_writing_the_link();
    mocks
        .mailer
        .expect_send_later()
        .times(1)
        .returning(|_| Err(MailQueueFull));
    mocks
        .service()
        .request("alice@example.com", NameLanguage::English, CLIENT)
        .await
        .expect("accepted all the same");
}

#[tokio::test]
async fn a_new_password_breaking_the_rules_is_refused_before_the_token_is_looked_up() {
    for (password, expected) in [
        ("short", PasswordError::TooShort),
        ("password-123456", PasswordError::TooCommon),
    ] {
        let mut mocks = Mocks::new();
        mocks.tokens.expect_holder().never();
        mocks.hasher.expect_hash().never();
        let err = mocks
            .service()
            .confirm(ResetSecret::generate().expose(), password.into())
            .await
            .expect_err("refused");
        assert!(
            matches!(&err, ConfirmResetError::InvalidPassword(e) if *e == expected),
            "{password}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_malformed_or_unknown_token_is_refused_without_hashing() {
    let mut mocks = Mocks::new();
    let known = ResetSecret::generate();
    let looked_up = known.digest();
    mocks
        .tokens
        .expect_holder()
        .withf(move |digest, at| *digest == looked_up && *at == now())
        .times(1)
        .returning(|_, _| Ok(None));
    mocks.hasher.expect_hash().never();
    mocks.tokens.expect_redeem().never();
    let service = mocks.service();
    for token in ["", "not-a-token", known.expose()] {
        let err = service
            .confirm(token, NEW_PASSWORD.into())
            .await
            .expect_err("refused");
        assert!(
            matches!(err, ConfirmResetError::InvalidToken),
            "{token:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_live_token_sets_the_password_ends_the_sessions_and_signs_in() {
    let mut mocks = Mocks::new();
    let user = alice();
    let secret = ResetSecret::generate();
    let digest = secret.digest();
    let user_id = user.id;
    mocks
        .tokens
        .expect_holder()
        .returning(move |_, _| Ok(Some(user_id)));
    mocks.hasher.expect_hash().times(1).returning(|password| {
        assert_eq!(password.expose(), NEW_PASSWORD);
        Ok(PasswordHash::new("$argon2id$new".into()))
    });
    let cutoff = now() + TimeDelta::seconds(1);
    let expected_digest = digest.clone();
    mocks
        .tokens
        .expect_redeem()
        .withf(move |d, hash, at| {
            *d == expected_digest && hash.as_str() == "$argon2id$new" && *at == now()
        })
        .times(1)
        .returning(move |_, _, _| {
            Ok(Some(RedeemedReset {
                user_id,
                sessions_valid_after: cutoff,
            }))
        });
    let mut reloaded = user.clone();
    reloaded.password_hash = PasswordHash::new("$argon2id$new".into());
    reloaded.sessions_valid_after = Some(cutoff);
    mocks
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(reloaded.clone())));
    mocks
        .login_throttle
        .expect_forget_account()
        .withf(|email| email.as_str() == "alice@example.com")
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .issued
        .expect_issue()
        .times(1)
        .returning(move |user, at| {
            assert_eq!(user.sessions_valid_after, Some(cutoff));
            Ok(IssuedToken {
                token: "fresh".into(),
                expires_at: at + TimeDelta::hours(24),
            })
        });
    let session = mocks
        .service()
        .confirm(secret.expose(), NEW_PASSWORD.into())
        .await
        .expect("reset");
    assert_eq!(session.token.token, "fresh");
    assert_eq!(session.user.id, user.id);
}

#[tokio::test]
async fn a_token_spent_while_hashing_signs_nobody_in() {
    let mut mocks = Mocks::new();
    mocks
        .tokens
        .expect_holder()
        .returning(|_, _| Ok(Some(UserId::new())));
    mocks
        .hasher
        .expect_hash()
        .returning(|_| Ok(PasswordHash::new("$argon2id$new".into())));
    mocks
        .tokens
        .expect_redeem()
        .times(1)
        .returning(|_, _, _| Ok(None));
    mocks.users.expect_find_by_id().never();
    mocks.issued.expect_issue().never();
    let err = mocks
        .service()
        .confirm(ResetSecret::generate().expose(), NEW_PASSWORD.into())
        .await
        .expect_err("spent");
    assert!(matches!(err, ConfirmResetError::InvalidToken), "{err:?}");
}
