//! Contract suite for the `password_hasher` port.
//!
//! Each rule is a public function taking a fresh hasher;
//! [`password_hasher_contract_tests!`] generates one test per rule.

use calls_core::domain::{Password, PasswordHash};
use calls_core::ports::{HashingError, PasswordCheck, PasswordHasher};

/// A password unlikely to appear in any hash by accident.
const PASSWORD: &str = "contract-Passw0rd-7f3a9c";

fn password(raw: &str) -> Password {
    Password::for_login(raw.to_owned()).expect("contract: test password is within bounds")
}

async fn hash_of<H: PasswordHasher + ?Sized>(hasher: &H, raw: &str) -> PasswordHash {
    hasher
        .hash(password(raw))
        .await
        .expect("contract: hashing must succeed")
}

/// Rule: a fresh hash verifies with the password it was made from, without needing a rehash
/// (new hashes are in the current scheme).
pub async fn hash_then_verify_matches<H: PasswordHasher + ?Sized>(hasher: &H) {
    let hash = hash_of(hasher, PASSWORD).await;
    let check = hasher
        .verify(password(PASSWORD), hash)
        .await
        .expect("contract: verifying a fresh hash must succeed");
    assert_eq!(
        check,
        PasswordCheck::Match {
            needs_rehash: false
        },
        "contract: the right password must match a fresh hash"
    );
}

/// Rule: another password does not match, including one differing only in its last character
/// or only by case.
pub async fn wrong_password_mismatches<H: PasswordHasher + ?Sized>(hasher: &H) {
    let hash = hash_of(hasher, PASSWORD).await;
    let last_changed = format!("{}X", &PASSWORD[..PASSWORD.len() - 1]);
    for wrong in [
        "completely different",
        last_changed.as_str(),
        &PASSWORD.to_uppercase(),
    ] {
        let check = hasher
            .verify(password(wrong), hash.clone())
            .await
            .expect("contract: verifying a wrong password must succeed");
        assert_eq!(
            check,
            PasswordCheck::Mismatch,
            "contract: a wrong password must not match"
        );
    }
}

/// Rule: hashes are salted: the same password hashes differently each time.
pub async fn hashes_are_salted<H: PasswordHasher + ?Sized>(hasher: &H) {
    let first = hash_of(hasher, PASSWORD).await;
    let second = hash_of(hasher, PASSWORD).await;
    assert_ne!(
        first, second,
        "contract: two hashes of one password must differ"
    );
}

/// Rule: a stored value in no known format is reported as such, not as a mismatch.
pub async fn garbage_hash_is_unknown_format<H: PasswordHasher + ?Sized>(hasher: &H) {
    for garbage in ["", "not a hash", "$unknown$v=1$abc", PASSWORD] {
        let result = hasher
            .verify(password(PASSWORD), PasswordHash::new(garbage.to_owned()))
            .await;
        assert_eq!(
            result,
            Err(HashingError::UnknownFormat),
            "contract: garbage stored hash must be UnknownFormat"
        );
    }
}

/// Rule: the stored hash never contains the password.
pub async fn hash_never_contains_the_password<H: PasswordHasher + ?Sized>(hasher: &H) {
    let hash = hash_of(hasher, PASSWORD).await;
    assert!(
        !hash.as_str().contains(PASSWORD),
        "contract: the hash must not contain the password"
    );
}

/// Generates one `#[tokio::test]` per rule of the password hasher contract, in a module named
/// `password_hasher_contract`. The argument is an expression building a fresh hasher; it is
/// evaluated once per test and may use the caller's imports. The caller needs `tokio` (with the
/// `macros` and `rt-multi-thread` features) as a dev-dependency.
#[macro_export]
macro_rules! password_hasher_contract_tests {
    ($factory:expr) => {
        mod password_hasher_contract {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread")]
            async fn hash_then_verify_matches() {
                let hasher = $factory;
                $crate::password_hasher::hash_then_verify_matches(&hasher).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn wrong_password_mismatches() {
                let hasher = $factory;
                $crate::password_hasher::wrong_password_mismatches(&hasher).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn hashes_are_salted() {
                let hasher = $factory;
                $crate::password_hasher::hashes_are_salted(&hasher).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn garbage_hash_is_unknown_format() {
                let hasher = $factory;
                $crate::password_hasher::garbage_hash_is_unknown_format(&hasher).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn hash_never_contains_the_password() {
                let hasher = $factory;
                $crate::password_hasher::hash_never_contains_the_password(&hasher).await;
            }
        }
    };
}
