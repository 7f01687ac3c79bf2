-- The legacy Go backend's schema, exactly as it created it. On a database that backend already
-- set up, every statement here is a no-op (IF NOT EXISTS), so its rows stay as they are; on an
-- empty database it creates the same tables, so both start from one baseline. Later migrations
-- only add to it.

CREATE TABLE IF NOT EXISTS users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email varchar(255) UNIQUE NOT NULL,
    password_hash varchar(255) NOT NULL,
    created_at timestamptz DEFAULT now()
);

CREATE TABLE IF NOT EXISTS calls (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phone_number varchar(50) NOT NULL,
    start_time timestamptz NOT NULL DEFAULT now(),
    duration integer DEFAULT 0,
    status varchar(20) NOT NULL DEFAULT 'initiated',
    created_at timestamptz DEFAULT now(),
    session_id varchar(255),
    sdp_offer text,
    sdp_answer text
);

-- Go's third migration (WebRTC fields): a database created before it has the tables without
-- these columns, and the session index below needs them.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS session_id varchar(255);
ALTER TABLE calls ADD COLUMN IF NOT EXISTS sdp_offer text;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS sdp_answer text;

CREATE INDEX IF NOT EXISTS idx_users_email ON users (email);
CREATE INDEX IF NOT EXISTS idx_calls_user_id ON calls (user_id);
CREATE INDEX IF NOT EXISTS idx_calls_start_time ON calls (start_time);
CREATE INDEX IF NOT EXISTS idx_calls_user_id_start_time ON calls (user_id, start_time DESC);
CREATE INDEX IF NOT EXISTS idx_calls_session_id ON calls (session_id);
