CREATE INDEX IF NOT EXISTS idx_calls_user_id ON calls (user_id);
CREATE INDEX IF NOT EXISTS idx_calls_start_time ON calls (start_time);
CREATE INDEX IF NOT EXISTS idx_calls_user_id_start_time ON calls (user_id, start_time DESC);
