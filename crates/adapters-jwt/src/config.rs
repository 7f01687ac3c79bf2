//! Tunables of the token issuer.

use std::time::Duration;

/// The shortest HS256 secret accepted: as many bytes as the hash output (RFC 7518 §3.2), so
/// the key is not the weak point of the MAC.
pub const MIN_SECRET_BYTES: usize = 32;

/// How long tokens live and how much clock skew verification tolerates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwtConfig {
    /// Validity of a new token (whole seconds; default 24 h, what the Go backend used and the
    /// wire contract promises). Must be between 1 s and [`JwtConfig::MAX_LIFETIME`].
    pub lifetime: Duration,
    /// Tolerance for `exp`, `nbf` and `iat` (default 30 s): enough for the clock skew between
    /// server instances, small enough that an expired token dies promptly. At most
    /// [`JwtConfig::MAX_LEEWAY`].
    pub leeway: Duration,
}

impl JwtConfig {
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
    /// Upper bound on the lifetime: a token is a bearer credential, a longer-lived one is a
    /// configuration mistake.
    pub const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
    /// Upper bound on the leeway: past this, "expired" stops meaning anything.
    pub const MAX_LEEWAY: Duration = Duration::from_secs(5 * 60);
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            lifetime: Self::DEFAULT_LIFETIME,
            leeway: Self::DEFAULT_LEEWAY,
        }
    }
}
