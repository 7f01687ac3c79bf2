//! bcrypt: read-only support for the hashes the Go backend stored (`$2a$10$...`).
//!
//! bcrypt only ever uses the first 72 bytes of a password. That is inherent in the legacy
//! hashes and matches Go's `CompareHashAndPassword`: a user whose password was longer signed up
//! with (and typed) the full password, and only its first 72 bytes were hashed, so we must
//! verify the same way. Every bcrypt match is reported as needing a rehash, and the argon2id
//! hash that replaces it covers the whole password.

use calls_core::ports::{HashingError, PasswordCheck};

/// The Go backend used cost 10; anything far above would make one login take seconds to
/// minutes, so such a stored hash is refused instead of computed.
const MAX_COST: u32 = 14;

pub(crate) fn verify(password: &[u8], stored: &str) -> Result<PasswordCheck, HashingError> {
    let cost: u32 = stored
        .get(4..6)
        .and_then(|cost| cost.parse().ok())
        .ok_or(HashingError::UnknownFormat)?;
    if cost > MAX_COST {
        return Err(HashingError::Failed(
            "stored bcrypt hash has a cost above the allowed maximum".to_owned(),
        ));
    }
    match bcrypt::verify(password, stored) {
        Ok(true) => Ok(PasswordCheck::Match { needs_rehash: true }),
        Ok(false) => Ok(PasswordCheck::Mismatch),
        Err(_) => Err(HashingError::UnknownFormat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_excessive_cost_without_computing() {
        let stored = "$2b$31$abcdefghijklmnopqrstuuAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(matches!(
            verify(b"pw", stored),
            Err(HashingError::Failed(_))
        ));
    }

    #[test]
    fn malformed_hashes_are_unknown() {
        for stored in ["$2b$", "$2b$xx$abc", "$2b$10$tooshort"] {
            assert_eq!(
                verify(b"pw", stored),
                Err(HashingError::UnknownFormat),
                "{stored}"
            );
        }
    }

    #[test]
    fn only_the_first_72_bytes_count_as_in_go() {
        let password = "p".repeat(80);
        let stored = bcrypt::hash(&password, 4).expect("hashes");
        let same_prefix = format!("{}{}", "p".repeat(72), "q".repeat(8));
        assert_eq!(
            verify(same_prefix.as_bytes(), &stored),
            Ok(PasswordCheck::Match { needs_rehash: true })
        );
        assert_eq!(
            verify("p".repeat(71).as_bytes(), &stored),
            Ok(PasswordCheck::Mismatch)
        );
    }
}
