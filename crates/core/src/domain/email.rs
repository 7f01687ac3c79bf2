//! A normalized, validated email address.

use std::fmt;

use email_address::{EmailAddress, Options};

/// The longest address a mail system can deliver to (RFC 5321 path limit minus the brackets).
pub const MAX_EMAIL_LENGTH: usize = 254;

/// An email address, trimmed and lower-cased so that `Alice@Example.com` and
/// `alice@example.com` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email is required")]
    Empty,
    #[error("email must be at most {MAX_EMAIL_LENGTH} characters")]
    TooLong,
    #[error("email is not a valid address")]
    Invalid,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let normalized = raw.trim().to_lowercase();
        if normalized.is_empty() {
            return Err(EmailError::Empty);
        }
        if normalized.chars().count() > MAX_EMAIL_LENGTH {
            return Err(EmailError::TooLong);
        }
        let options = Options::default()
            .without_display_text()
            .without_domain_literal();
        let address = EmailAddress::parse_with_options(&normalized, options)
            .map_err(|_| EmailError::Invalid)?;
        // A registrable address has a dotted domain: `user@localhost` cannot receive mail from us.
        let domain = address.domain();
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err(EmailError::Invalid);
        }
        Ok(Self(normalized))
    }

    /// Wraps an address read back from storage, which was validated when it was written
    /// (or by the legacy backend).
    pub fn from_trusted(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases() {
        let email = Email::parse("  Alice@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "alice@example.com");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for raw in [
            "",
            "   ",
            "alice",
            "alice@",
            "@example.com",
            "a b@example.com",
            "alice@localhost",
            "Alice <alice@example.com>",
            "alice@[127.0.0.1]",
            "alice@example.com.",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be refused");
        }
    }

    #[test]
    fn empty_is_reported_as_missing() {
        assert_eq!(Email::parse("  "), Err(EmailError::Empty));
    }

    #[test]
    fn enforces_the_length_limit() {
        let local = "a".repeat(64);
        let domain_label = "b".repeat(60);
        let long =
            format!("{local}@{domain_label}.{domain_label}.{domain_label}.{domain_label}.com");
        assert!(long.len() > MAX_EMAIL_LENGTH);
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}
