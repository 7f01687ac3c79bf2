-- Brings the Go schema (empty or full of that backend's rows) to what this backend needs.

-- New in this backend.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS country varchar(2);
ALTER TABLE calls ADD COLUMN IF NOT EXISTS failure_reason text;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS ended_at timestamptz;

-- Every account has a creation time (the Go default filled it; this covers hand-made rows).
UPDATE users SET created_at = now() WHERE created_at IS NULL;
ALTER TABLE users ALTER COLUMN created_at SET NOT NULL;

-- Emails are looked up exactly, in their trimmed lower-case form. The Go backend stored them as
-- typed; normalize each one unless that would collide with another account, in which case both
-- are left untouched (two accounts cannot be merged automatically; the one already in lower case
-- keeps working, the other needs an operator).
UPDATE users AS u
SET email = lower(btrim(u.email))
WHERE u.email <> lower(btrim(u.email))
  AND NOT EXISTS (
      SELECT 1 FROM users AS other
      WHERE other.id <> u.id AND lower(btrim(other.email)) = lower(btrim(u.email))
  );

-- Statuses: fix letter case and stray spaces, then end every status this backend does not know
-- as 'failed', keeping the original in failure_reason for operators.
UPDATE calls
SET status = lower(btrim(status))
WHERE status <> lower(btrim(status))
  AND lower(btrim(status)) IN ('initiated', 'connecting', 'active', 'completed', 'failed', 'canceled');
UPDATE calls
SET failure_reason = coalesce(failure_reason, 'legacy status: ' || status),
    status = 'failed'
WHERE status NOT IN ('initiated', 'connecting', 'active', 'completed', 'failed', 'canceled');

-- Durations are whole seconds >= 0. NULL (allowed by the Go schema) stays and reads as 0.
UPDATE calls SET duration = 0 WHERE duration < 0;

ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_status_known;
ALTER TABLE calls ADD CONSTRAINT calls_status_known
    CHECK (status IN ('initiated', 'connecting', 'active', 'completed', 'failed', 'canceled'));
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_duration_not_negative;
ALTER TABLE calls ADD CONSTRAINT calls_duration_not_negative CHECK (duration >= 0);

-- The history order (start_time DESC, id DESC) per user, for pages, counts and cursor seeks.
CREATE INDEX IF NOT EXISTS idx_calls_user_start_time_id
    ON calls (user_id, start_time DESC, id DESC);

-- The few unfinished calls, for the stale-call sweep.
CREATE INDEX IF NOT EXISTS idx_calls_unfinished_start_time
    ON calls (status, start_time)
    WHERE status IN ('initiated', 'connecting', 'active');
