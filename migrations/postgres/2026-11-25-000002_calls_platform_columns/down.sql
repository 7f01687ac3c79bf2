-- Removes what the up migration added. The data normalization (emails, statuses, durations)
-- cannot be undone; the Go backend reads the normalized rows fine.
DROP INDEX IF EXISTS idx_calls_unfinished_start_time;
DROP INDEX IF EXISTS idx_calls_user_start_time_id;
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_duration_not_negative;
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_status_known;
ALTER TABLE users ALTER COLUMN created_at DROP NOT NULL;
ALTER TABLE calls DROP COLUMN IF EXISTS ended_at;
ALTER TABLE calls DROP COLUMN IF EXISTS failure_reason;
ALTER TABLE calls DROP COLUMN IF EXISTS country;
