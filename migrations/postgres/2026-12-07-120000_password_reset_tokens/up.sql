-- Password-reset links (POST /api/auth/password-reset). A row is the one live link of an
-- account: the SHA-256 of its secret (64 hex digits; the secret itself is never stored, so a
-- copy of the database holds no usable link), whose account it resets, and until when. A new
-- request replaces the account's row (an upsert on the unique user_id, so concurrent requests
-- still leave one link); a confirmation deletes it; expired rows are purged.
--
-- A new table only: nothing the Go backend created changes. The rows go with their account.
CREATE TABLE IF NOT EXISTS password_reset_tokens (
    token_hash text PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS idx_password_reset_tokens_user_id
    ON password_reset_tokens (user_id);
CREATE INDEX IF NOT EXISTS idx_password_reset_tokens_expires_at
    ON password_reset_tokens (expires_at);
