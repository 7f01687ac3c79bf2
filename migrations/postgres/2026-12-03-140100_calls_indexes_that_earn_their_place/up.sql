-- Indexes on `calls` that no query needs, each one a cost on every insert and on every update
-- that is not HOT. Created by the Go backend; IF EXISTS, so a database without them is fine.
--
-- * idx_calls_user_id (user_id): every per-user query is served by the leading column of
--   idx_calls_user_start_time_id (user_id, start_time DESC, id DESC).
-- * idx_calls_user_id_start_time (user_id, start_time DESC): the same columns, in the same order,
--   as the first two of idx_calls_user_start_time_id, which also breaks ties by id.
-- * idx_calls_start_time (start_time): no statement filters or orders by the start time across
--   users; the stale-call sweep reads the partial idx_calls_unfinished_start_time.
--
-- The indexes that stay, and the statements that use each, are listed in docs/BENCHMARKS.md.
-- Plain DROP INDEX: it holds an exclusive lock on `calls` for as long as the drop takes (a
-- catalog change, milliseconds), once, while the migration runs.
DROP INDEX IF EXISTS idx_calls_user_id;
DROP INDEX IF EXISTS idx_calls_user_id_start_time;
DROP INDEX IF EXISTS idx_calls_start_time;
