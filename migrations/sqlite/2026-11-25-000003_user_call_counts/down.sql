DROP TRIGGER IF EXISTS calls_platform_count_delete;
DROP TRIGGER IF EXISTS calls_platform_count_insert;
DROP TABLE IF EXISTS user_call_counts;
