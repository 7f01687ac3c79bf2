DROP FUNCTION IF EXISTS login_throttle_settle(text, text, timestamptz, boolean);
DROP FUNCTION IF EXISTS login_throttle_admit(text, text, timestamptz, bigint, integer, integer);
DROP FUNCTION IF EXISTS login_throttle_without(timestamptz[], timestamptz);
DROP FUNCTION IF EXISTS login_throttle_locked_until(timestamptz[], interval, integer);
DROP FUNCTION IF EXISTS login_throttle_recent(timestamptz[], timestamptz, interval, integer);
DROP TABLE IF EXISTS login_throttle;
