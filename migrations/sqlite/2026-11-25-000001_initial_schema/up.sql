-- The PostgreSQL schema (migrations/postgres) in SQLite types:
-- * ids are lower-case hyphenated UUID text, which sorts like PostgreSQL's uuid, so the history's
--   `id DESC` tie-break agrees between the two databases;
-- * times are BIGINT microseconds since the Unix epoch (UTC): exact at the domain's precision,
--   and ordered as numbers.

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    email TEXT NOT NULL UNIQUE CHECK (length(email) <= 255),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE calls (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phone_number TEXT NOT NULL CHECK (length(phone_number) <= 50),
    start_time BIGINT NOT NULL,
    duration INTEGER NOT NULL DEFAULT 0 CHECK (duration >= 0),
    status TEXT NOT NULL DEFAULT 'initiated'
        CHECK (status IN ('initiated', 'connecting', 'active', 'completed', 'failed', 'canceled')),
    -- When the row was written, like PostgreSQL's DEFAULT now() (julianday has millisecond
    -- precision; this column is for operators only).
    created_at BIGINT NOT NULL
        DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)),
    session_id TEXT CHECK (length(session_id) <= 255),
    sdp_offer TEXT,
    sdp_answer TEXT,
    country TEXT CHECK (length(country) = 2),
    failure_reason TEXT,
    ended_at BIGINT
);

-- The same indexes as in PostgreSQL.
CREATE INDEX idx_users_email ON users (email);
CREATE INDEX idx_calls_user_id ON calls (user_id);
CREATE INDEX idx_calls_start_time ON calls (start_time);
CREATE INDEX idx_calls_user_id_start_time ON calls (user_id, start_time DESC);
CREATE INDEX idx_calls_session_id ON calls (session_id);
CREATE INDEX idx_calls_user_start_time_id ON calls (user_id, start_time DESC, id DESC);
CREATE INDEX idx_calls_unfinished_start_time
    ON calls (status, start_time)
    WHERE status IN ('initiated', 'connecting', 'active');
