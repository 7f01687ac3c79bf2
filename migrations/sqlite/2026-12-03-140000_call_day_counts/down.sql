DROP TRIGGER IF EXISTS calls_platform_count_move;
DROP TRIGGER IF EXISTS calls_platform_day_count_update;
DROP TRIGGER IF EXISTS calls_platform_day_count_delete;
DROP TRIGGER IF EXISTS calls_platform_day_count_insert;
DROP TABLE IF EXISTS user_call_day_counts;
