//! Access tokens (JWT in production).

use chrono::{DateTime, Utc};

use super::{RevocationKey, SessionRef};
use crate::domain::{User, UserId};

/// A freshly signed token.
#[derive(Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The claims of a token whose signature and validity period checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub user_id: UserId,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    /// What logout stores to revoke this token.
    pub revocation_key: RevocationKey,
    /// The `iat` claim (whole seconds); the Unix epoch when the token has none.
    pub issued_at: DateTime<Utc>,
}

impl VerifiedToken {
    /// What the storage checks to tell whether this token's session is still live.
    pub fn session(&self) -> SessionRef {
        SessionRef {
            key: self.revocation_key.clone(),
            user_id: self.user_id,
            issued_at: self.issued_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Signature, algorithm, format, claims or validity period are wrong. The reason is for logs
    /// only; clients just get "unauthorized".
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("could not sign token: {0}")]
    Signing(String),
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// Signs a token for `user`, valid from `now`. Its `iat` is `now`'s second, or the user's
    /// `sessions_valid_after` when that is later (up to a second, right after the user ended
    /// every session), so that the new token is live.
    fn issue(&self, user: &User, now: DateTime<Utc>) -> Result<IssuedToken, TokenError>;

    /// Checks a presented token at `now`. Errors: [`TokenError::Invalid`].
    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<VerifiedToken, TokenError>;
}
