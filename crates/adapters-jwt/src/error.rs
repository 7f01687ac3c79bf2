//! Why a token issuer could not be built.

use std::time::Duration;

use crate::config::MIN_SECRET_BYTES;

/// A configuration the issuer refuses to run with. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtConfigError {
    #[error("JWT secret must be at least {MIN_SECRET_BYTES} bytes")]
    SecretTooShort,
    /// Outside 1 s ..= [`crate::JwtConfig::MAX_LIFETIME`].
    #[error("token lifetime must be between 1 second and 30 days, got {0:?}")]
    LifetimeOutOfRange(Duration),
    /// Above [`crate::JwtConfig::MAX_LEEWAY`].
    #[error("token leeway must be at most 5 minutes, got {0:?}")]
    LeewayOutOfRange(Duration),
}
