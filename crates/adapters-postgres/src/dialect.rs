//! The SQL the shared ports leave to PostgreSQL.

/// The later of the stored and the new expiry, in a revocation upsert.
pub(crate) const LATER_EXPIRY: &str = "GREATEST(revoked_tokens.expires_at, excluded.expires_at)";
