-- Every user's number of calls, kept by triggers, so that an unfiltered history page reads its
-- `total` from one row instead of counting all of the user's calls. Filtered totals are still
-- counted from the (user_id, start_time) index.
CREATE TABLE user_call_counts (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total BIGINT NOT NULL DEFAULT 0 CHECK (total >= 0)
);

INSERT INTO user_call_counts (user_id, total)
SELECT user_id, count(*) FROM calls GROUP BY user_id;

CREATE TRIGGER calls_platform_count_insert AFTER INSERT ON calls
BEGIN
    INSERT INTO user_call_counts (user_id, total) VALUES (NEW.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1;
END;

CREATE TRIGGER calls_platform_count_delete AFTER DELETE ON calls
BEGIN
    UPDATE user_call_counts SET total = total - 1 WHERE user_id = OLD.user_id AND total > 0;
END;
