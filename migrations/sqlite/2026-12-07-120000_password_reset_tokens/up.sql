-- Password-reset links (POST /api/auth/password-reset): the one live link of an account, as the
-- SHA-256 of its secret (64 hex digits; never the secret), and its times (microseconds since the
-- Unix epoch). A new request replaces the account's row (an upsert on the unique user_id); a
-- confirmation deletes it.
CREATE TABLE password_reset_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL CHECK (length(token_hash) = 64),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX idx_password_reset_tokens_user_id ON password_reset_tokens (user_id);
CREATE INDEX idx_password_reset_tokens_expires_at ON password_reset_tokens (expires_at);
