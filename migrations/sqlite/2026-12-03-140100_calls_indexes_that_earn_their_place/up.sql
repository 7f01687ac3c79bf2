-- The same three redundant indexes as on PostgreSQL (see its migration of the same name):
-- idx_calls_user_start_time_id serves every per-user statement, and no statement reads calls
-- by start time across users.
DROP INDEX IF EXISTS idx_calls_user_id;
DROP INDEX IF EXISTS idx_calls_user_id_start_time;
DROP INDEX IF EXISTS idx_calls_start_time;
