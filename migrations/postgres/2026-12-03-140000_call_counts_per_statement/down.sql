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

-- The triggers as 2026-12-03-131000_user_write_counter left them.
CREATE OR REPLACE FUNCTION calls_platform_count_calls() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO user_call_counts (user_id, total, writes) VALUES (NEW.user_id, 1, 1)
        ON CONFLICT (user_id) DO UPDATE
            SET total = user_call_counts.total + 1, writes = user_call_counts.writes + 1;
        RETURN NEW;
    END IF;
    UPDATE user_call_counts SET total = GREATEST(total - 1, 0), writes = writes + 1
    WHERE user_id = OLD.user_id;
    RETURN OLD;
END
$$;
CREATE TRIGGER calls_platform_count_insert AFTER INSERT ON calls
    FOR EACH ROW EXECUTE FUNCTION calls_platform_count_calls();
CREATE TRIGGER calls_platform_count_delete AFTER DELETE ON calls
    FOR EACH ROW EXECUTE FUNCTION calls_platform_count_calls();
CREATE OR REPLACE FUNCTION calls_platform_count_call_updates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM user_call_counts
    WHERE user_id IN (SELECT user_id FROM calls_platform_changed_calls)
    ORDER BY user_id
    FOR UPDATE;
    UPDATE user_call_counts SET writes = writes + 1
    WHERE user_id IN (SELECT user_id FROM calls_platform_changed_calls);
    RETURN NULL;
END
$$;
CREATE TRIGGER calls_platform_count_update AFTER UPDATE ON calls
    REFERENCING NEW TABLE AS calls_platform_changed_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_platform_count_call_updates();
