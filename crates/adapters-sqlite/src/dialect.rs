//! The SQL the shared ports leave to SQLite.

/// The later of the stored and the new expiry, in a revocation upsert (SQLite's two-argument
/// `max` is the scalar maximum).
pub(crate) const LATER_EXPIRY: &str = "max(revoked_tokens.expires_at, excluded.expires_at)";
