//! User accounts.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Email, PasswordHash, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub password_hash: PasswordHash,
    pub created_at: DateTime<Utc>,
    /// Tokens issued (`iat`) before this whole second are refused: set when the user ended
    /// every session (sign out everywhere, a password change). `None`: never.
    pub sessions_valid_after: Option<DateTime<Utc>>,
}

/// The cutoff that ending every session at `at` stores: the first whole second after `at`.
///
/// Why the next second: a token's issue time (`iat`) has whole seconds only, so a token
/// issued earlier in `at`'s own second cannot be told apart from one issued later in it. The
/// rule "live iff `iat >= cutoff`" with this cutoff refuses every token issued up to `at`; the
/// tokens issued after it carry at least the cutoff as their `iat` (the token issuer never
/// signs an `iat` below the user's [`User::sessions_valid_after`]), so a sign-in right after
/// the end works even within the same second.
pub fn sessions_cutoff(at: DateTime<Utc>) -> DateTime<Utc> {
    let whole = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
    whole + TimeDelta::seconds(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_the_next_whole_second() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T10:00:05.250Z")
            .unwrap()
            .to_utc();
        let cutoff = sessions_cutoff(at);
        assert_eq!(cutoff.to_rfc3339(), "2026-12-06T10:00:06+00:00");
        let whole = DateTime::parse_from_rfc3339("2026-12-06T10:00:05Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            sessions_cutoff(whole).to_rfc3339(),
            "2026-12-06T10:00:06+00:00"
        );
    }
}

/// What registration asks storage to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub password_hash: PasswordHash,
    pub created_at: DateTime<Utc>,
}
