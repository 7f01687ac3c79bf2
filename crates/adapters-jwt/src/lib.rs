//! [`TokenIssuer`](calls_core::ports::TokenIssuer) adapter: HS256 JSON Web Tokens.
//!
//! Tokens carry the claims the legacy Go backend used (`user_id`, `email`, `exp`, `iat`, `nbf`)
//! plus a random `jti`, so that tokens the Go backend signed with the same secret keep working
//! and every token we sign can be revoked by its id.
//!
//! Hardening (RFC 8725): the algorithm is pinned to HS256 whatever the header says, the secret
//! must be at least 32 bytes, the validity period is checked against the caller's clock rather
//! than the library's, critical header extensions and foreign `typ`s are refused, and oversized
//! tokens are refused before any parsing. Tokens never appear in errors or `Debug` output.

mod claims;
mod config;
mod error;
mod issuer;
mod reason;
mod revocation;
mod verify;

pub use config::{JwtConfig, MIN_SECRET_BYTES};
pub use error::JwtConfigError;
pub use issuer::JwtTokenIssuer;
pub use verify::MAX_TOKEN_BYTES;
