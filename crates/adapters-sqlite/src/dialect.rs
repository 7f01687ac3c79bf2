//! The SQL the shared ports leave to SQLite.

use diesel::result::Error;
use diesel::{Connection, SqliteConnection};

/// The history read's snapshot: one read transaction, so the revocation, the count and the rows
/// come from the same state of the file (embedded: the extra statements cost no round trip).
pub(crate) fn in_read_snapshot<T>(
    conn: &mut SqliteConnection,
    read: impl FnOnce(&mut SqliteConnection) -> Result<T, Error>,
) -> Result<T, Error> {
    conn.transaction(read)
}

/// The later of the stored and the new expiry, in a revocation upsert (SQLite's two-argument
/// `max` is the scalar maximum).
pub(crate) const LATER_EXPIRY: &str = "max(revoked_tokens.expires_at, excluded.expires_at)";
