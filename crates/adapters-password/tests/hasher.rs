//! `Argon2BcryptHasher` end to end: schemes, legacy bcrypt, unknown formats, dummy checks.

use std::num::NonZeroUsize;

use calls_adapters_password::{Argon2BcryptHasher, HasherConfig};
use calls_core::domain::{Password, PasswordHash};
use calls_core::ports::{HashingError, PasswordCheck, PasswordHasher};

fn password(raw: &str) -> Password {
    Password::for_login(raw.to_owned()).expect("within bounds")
}

/// A bcrypt hash as the Go backend stored it (cost 10), with the prefix rewritten to `prefix`:
/// the three variants differ only in how old C implementations handled non-ASCII bytes, so the
/// same hash is valid under each prefix.
fn go_bcrypt(raw: &str, prefix: &str) -> PasswordHash {
    let hash = bcrypt::hash(raw, 10).expect("bcrypt hashes");
    assert!(hash.starts_with("$2b$10$"));
    PasswordHash::new(format!("{prefix}{}", &hash[4..]))
}

#[tokio::test(flavor = "multi_thread")]
async fn new_hashes_are_argon2id_with_the_current_parameters() {
    let hash = Argon2BcryptHasher::default()
        .hash(password("a new password"))
        .await
        .expect("hashes");
    assert!(hash.as_str().starts_with("$argon2id$v=19$m=12288,t=3,p=1$"));
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_bcrypt_hashes_match_and_need_a_rehash() {
    let hasher = Argon2BcryptHasher::default();
    for prefix in ["$2a$", "$2b$", "$2y$"] {
        let stored = go_bcrypt("legacy password", prefix);
        assert_eq!(
            hasher
                .verify(password("legacy password"), stored.clone())
                .await,
            Ok(PasswordCheck::Match { needs_rehash: true }),
            "{prefix}"
        );
        assert_eq!(
            hasher.verify(password("legacy passworD"), stored).await,
            Ok(PasswordCheck::Mismatch),
            "{prefix}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bcrypt_hashes_from_an_independent_implementation_verify() {
    // Not produced by the bcrypt crate: the first is the classic crypt_blowfish test vector,
    // the second was written by glibc/libxcrypt crypt(3) at the Go backend's cost of 10.
    let vectors = [
        (
            "U*U",
            "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
        ),
        (
            "hunter2hunter2",
            "$2a$10$abcdefghijklmnopqrstuujSLqMeY8k6l72cyynCTFgUn1R/ux.pK",
        ),
    ];
    let hasher = Argon2BcryptHasher::default();
    for (raw, stored) in vectors {
        let stored = PasswordHash::new(stored.to_owned());
        assert_eq!(
            hasher.verify(password(raw), stored.clone()).await,
            Ok(PasswordCheck::Match { needs_rehash: true })
        );
        assert_eq!(
            hasher.verify(password("U*V"), stored).await,
            Ok(PasswordCheck::Mismatch)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_formats_are_reported() {
    let hasher = Argon2BcryptHasher::default();
    for stored in [
        "",
        "plaintext",
        "$1$saltsalt$hash",
        "$2x$10$abcdefghijklmnopqrstuuAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$garbage",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
    ] {
        assert_eq!(
            hasher
                .verify(password("whatever"), PasswordHash::new(stored.to_owned()))
                .await,
            Err(HashingError::UnknownFormat),
            "{stored}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn long_passwords_are_never_truncated() {
    let hasher = Argon2BcryptHasher::default();
    let long = "é".repeat(128);
    let hash = hasher.hash(password(&long)).await.expect("hashes");
    let almost = format!("{}e", "é".repeat(127));
    assert_eq!(
        hasher.verify(password(&almost), hash.clone()).await,
        Ok(PasswordCheck::Mismatch)
    );
    assert_eq!(
        hasher.verify(password(&long), hash).await,
        Ok(PasswordCheck::Match {
            needs_rehash: false
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dummy_verification_completes() {
    let hasher = Argon2BcryptHasher::default();
    hasher.verify_dummy(password("anything at all")).await;
    hasher.verify_dummy(password("")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn many_concurrent_requests_through_one_slot_all_finish() {
    let config = HasherConfig {
        max_concurrent_hashes: NonZeroUsize::MIN,
    };
    let hasher = Argon2BcryptHasher::new(config);
    let tasks: Vec<_> = (0..6)
        .map(|index| {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash(password(&format!("password {index}"))).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.expect("joined").is_ok());
    }
}
