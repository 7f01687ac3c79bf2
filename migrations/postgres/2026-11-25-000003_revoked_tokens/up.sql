-- Logged-out tokens, shared by every server instance. `key` is the token's jti (or a hash of a
-- legacy token), never the token itself. Rows are useless after expires_at and get purged.
CREATE TABLE IF NOT EXISTS revoked_tokens (
    key text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_revoked_tokens_expires_at ON revoked_tokens (expires_at);
