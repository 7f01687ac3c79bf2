DROP TRIGGER IF EXISTS calls_platform_count_delete ON calls;
DROP TRIGGER IF EXISTS calls_platform_count_insert ON calls;
DROP FUNCTION IF EXISTS calls_platform_count_calls();
DROP TABLE IF EXISTS user_call_counts;
