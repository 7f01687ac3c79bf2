//! Contract suite for the `token_issuer` port.
//!
//! Each rule is a public function taking a fresh issuer; [`token_issuer_contract_tests!`]
//! generates one test per rule. The rules assume nothing about the token format and only that
//! the issuer's verification leeway is under an hour.

use calls_core::domain::{Email, PasswordHash, User, UserId};
use calls_core::ports::TokenIssuer;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// A fixed instant, so failures reproduce.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 15, 9, 30, 0)
        .single()
        .expect("contract: fixed test instant is valid")
}

fn user() -> User {
    User {
        id: UserId::new(),
        email: Email::parse("contract@example.com").expect("contract: test email is valid"),
        password_hash: PasswordHash::new("$argon2id$not-used".to_owned()),
        created_at: now(),
        sessions_valid_after: None,
    }
}

/// Variants of `token` that differ in exactly one way: one character replaced at the start, the
/// middle and the end, one appended, one removed.
fn modified(token: &str) -> Vec<String> {
    let chars: Vec<char> = token.chars().collect();
    let mut variants = Vec::new();
    for index in [0, chars.len() / 2, chars.len().saturating_sub(1)] {
        if let Some(&original) = chars.get(index) {
            let mut changed = chars.clone();
            // 'A' is zero in base64 and base64url; any canonical last character other than 'A'
            // has non-zero data bits, so the change is never absorbed by padding bits.
            changed[index] = if original == 'A' { 'w' } else { 'A' };
            variants.push(changed.into_iter().collect());
        }
    }
    variants.push(format!("{token}A"));
    variants.push(chars[..chars.len().saturating_sub(1)].iter().collect());
    variants
}

/// Rule: a freshly issued token verifies, with the user's id and email and an expiry in the
/// future that agrees with what `issue` reported.
pub async fn issue_then_verify_round_trips<T: TokenIssuer + ?Sized>(issuer: &T) {
    let user = user();
    let issued = issuer
        .issue(&user, now())
        .expect("contract: issue must succeed");
    assert!(
        issued.expires_at > now(),
        "contract: issued token must expire in the future"
    );
    let verified = issuer
        .verify(&issued.token, now())
        .expect("contract: a fresh token must verify");
    assert_eq!(
        verified.user_id, user.id,
        "contract: user id must round-trip"
    );
    assert_eq!(
        verified.email,
        user.email.as_str(),
        "contract: email must round-trip"
    );
    assert!(
        verified.expires_at > now(),
        "contract: verified expiry must be in the future"
    );
    assert_eq!(
        verified.expires_at, issued.expires_at,
        "contract: verify must report the expiry issue reported"
    );
}

/// Rule: once expired (plus any leeway under an hour) a token is refused.
pub async fn expired_token_is_refused<T: TokenIssuer + ?Sized>(issuer: &T) {
    let issued = issuer
        .issue(&user(), now())
        .expect("contract: issue must succeed");
    let later = issued.expires_at + TimeDelta::hours(1);
    assert!(
        issuer.verify(&issued.token, later).is_err(),
        "contract: a token must be refused after it expired"
    );
}

/// Rule: any modification of a token makes it invalid.
pub async fn modified_token_is_refused<T: TokenIssuer + ?Sized>(issuer: &T) {
    let issued = issuer
        .issue(&user(), now())
        .expect("contract: issue must succeed");
    for (index, variant) in modified(&issued.token).iter().enumerate() {
        assert!(
            issuer.verify(variant, now()).is_err(),
            "contract: modified token (variant {index}) must be refused"
        );
    }
}

/// Rule: two tokens for the same user, even issued at the same instant, are revoked
/// independently (logging out one session leaves the other signed in).
pub async fn tokens_have_distinct_revocation_keys<T: TokenIssuer + ?Sized>(issuer: &T) {
    let user = user();
    let first = issuer
        .issue(&user, now())
        .expect("contract: issue must succeed");
    let second = issuer
        .issue(&user, now())
        .expect("contract: issue must succeed");
    let first = issuer
        .verify(&first.token, now())
        .expect("contract: a fresh token must verify");
    let second = issuer
        .verify(&second.token, now())
        .expect("contract: a fresh token must verify");
    assert_ne!(
        first.revocation_key, second.revocation_key,
        "contract: two tokens must have different revocation keys"
    );
}

/// Generates one `#[tokio::test]` per rule of the token issuer contract, in a module named
/// `token_issuer_contract`. The argument is an expression building a fresh issuer; it is
/// evaluated once per test and may use the caller's imports. The caller needs `tokio` (with the
/// `macros` and `rt` features) as a dev-dependency.
#[macro_export]
macro_rules! token_issuer_contract_tests {
    ($factory:expr) => {
        mod token_issuer_contract {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn issue_then_verify_round_trips() {
                let issuer = $factory;
                $crate::token_issuer::issue_then_verify_round_trips(&issuer).await;
            }

            #[tokio::test]
            async fn expired_token_is_refused() {
                let issuer = $factory;
                $crate::token_issuer::expired_token_is_refused(&issuer).await;
            }

            #[tokio::test]
            async fn modified_token_is_refused() {
                let issuer = $factory;
                $crate::token_issuer::modified_token_is_refused(&issuer).await;
            }

            #[tokio::test]
            async fn tokens_have_distinct_revocation_keys() {
                let issuer = $factory;
                $crate::token_issuer::tokens_have_distinct_revocation_keys(&issuer).await;
            }
        }
    };
}
