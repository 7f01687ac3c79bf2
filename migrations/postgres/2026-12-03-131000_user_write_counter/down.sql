DROP TRIGGER IF EXISTS calls_platform_count_update ON calls;
DROP FUNCTION IF EXISTS calls_platform_count_call_updates();

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

ALTER TABLE user_call_counts DROP COLUMN IF EXISTS writes;
