//! The SQL the shared ports leave to PostgreSQL.

use diesel::PgConnection;
use diesel::result::Error;

/// The history read's snapshot: read-only and repeatable-read, so the revocation, the total and
/// the page see the same committed state even while the user places calls.
pub(crate) fn in_read_snapshot<T>(
    conn: &mut PgConnection,
    read: impl FnOnce(&mut PgConnection) -> Result<T, Error>,
) -> Result<T, Error> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(read)
}

/// The later of the stored and the new expiry, in a revocation upsert.
pub(crate) const LATER_EXPIRY: &str = "GREATEST(revoked_tokens.expires_at, excluded.expires_at)";
