//! Plain-text passwords on their way to the hasher, and the stored hashes.
//!
//! Neither type prints its content in `Debug`, so a password or hash can never reach a log line
//! through a `{:?}`.

use std::fmt;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password that satisfies the length policy (NIST SP 800-63B: length, no composition rules,
/// never truncated). Whether it is too common is a separate check against a word list.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password must be at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("password must be at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error(
        "password is too common: it appears in lists of frequently used passwords; choose another"
    )]
    TooCommon,
}

impl Password {
    /// Applies the length policy for a new password.
    pub fn new(raw: String) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw))
    }

    /// Wraps a password typed at login. Only the upper bound applies: an old account may have a
    /// short password, and an over-long one is refused before it costs a hash.
    pub fn for_login(raw: String) -> Result<Self, PasswordError> {
        if raw.chars().count() > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A stored password hash: argon2id PHC string, or a legacy bcrypt hash from the Go backend.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn new(encoded: String) -> Self {
        Self(encoded)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 7 characters but 14 bytes: too short.
        assert_eq!(Password::new("é".repeat(7)), Err(PasswordError::TooShort));
        // 128 characters but 256 bytes: still allowed.
        assert!(Password::new("é".repeat(128)).is_ok());
    }

    #[test]
    fn enforces_bounds() {
        assert_eq!(Password::new("short".into()), Err(PasswordError::TooShort));
        assert_eq!(Password::new("x".repeat(129)), Err(PasswordError::TooLong));
        assert!(Password::new("x".repeat(128)).is_ok());
    }

    #[test]
    fn login_accepts_short_legacy_passwords_but_not_huge_ones() {
        assert!(Password::for_login("abc".into()).is_ok());
        assert_eq!(
            Password::for_login("x".repeat(10_000)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let password = Password::new("correct horse battery".into()).expect("valid");
        assert!(!format!("{password:?}").contains("horse"));
        let hash = PasswordHash::new("$argon2id$secret".into());
        assert!(!format!("{hash:?}").contains("secret"));
    }
}
