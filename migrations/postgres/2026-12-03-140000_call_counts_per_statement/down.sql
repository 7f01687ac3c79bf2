DROP TRIGGER IF EXISTS calls_platform_count_updates ON calls;
DROP TRIGGER IF EXISTS calls_platform_count_deletes ON calls;
DROP TRIGGER IF EXISTS calls_platform_count_inserts ON calls;
DROP FUNCTION IF EXISTS calls_platform_count_updated();
DROP FUNCTION IF EXISTS calls_platform_count_deleted();
DROP FUNCTION IF EXISTS calls_platform_count_inserted();
DROP FUNCTION IF EXISTS calls_platform_apply_count_deltas(calls_platform_count_delta[]);
DROP TYPE IF EXISTS calls_platform_count_delta;
DROP FUNCTION IF EXISTS calls_platform_call_day(timestamptz);
DROP TABLE IF EXISTS user_call_day_counts;

-- The row-level triggers of 2026-11-25-000004_user_call_counts.
CREATE OR REPLACE FUNCTION calls_platform_count_calls() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO user_call_counts (user_id, total) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET total = user_call_counts.total + 1;
        RETURN NEW;
    END IF;
    UPDATE user_call_counts SET total = total - 1 WHERE user_id = OLD.user_id AND total > 0;
    RETURN OLD;
END
$$;
CREATE TRIGGER calls_platform_count_insert AFTER INSERT ON calls
    FOR EACH ROW EXECUTE FUNCTION calls_platform_count_calls();
CREATE TRIGGER calls_platform_count_delete AFTER DELETE ON calls
    FOR EACH ROW EXECUTE FUNCTION calls_platform_count_calls();
