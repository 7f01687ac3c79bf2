-- Logged-out tokens. `key` is the token's jti (or a hash of a legacy token), never the token
-- itself; expires_at is microseconds since the Unix epoch.
CREATE TABLE revoked_tokens (
    key TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX idx_revoked_tokens_expires_at ON revoked_tokens (expires_at);
