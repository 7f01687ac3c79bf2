-- One row per user, UTC day and status (see the PostgreSQL migration of the same name): a
-- filtered history total sums at most one row per day and status of the range and counts only
-- the calls of the partial days at its ends. `day` is whole days since 1970-01-01 UTC of the
-- start, floored (start_time is microseconds), the same integer PostgreSQL computes.
--
-- SQLite has no statement-level triggers, and needs none: its row triggers update the counter
-- row in place (no row versions), so a bulk insert stays linear with them.
CREATE TABLE user_call_day_counts (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    status TEXT NOT NULL,
    total INTEGER NOT NULL CHECK (total >= 0),
    PRIMARY KEY (user_id, day, status)
) WITHOUT ROWID;

-- floor(start_time / 86400000000) for any sign: SQLite's integer division truncates.
CREATE TRIGGER calls_platform_day_count_insert AFTER INSERT ON calls
BEGIN
    INSERT INTO user_call_day_counts (user_id, day, status, total)
    VALUES (NEW.user_id,
            (NEW.start_time - ((NEW.start_time % 86400000000) + 86400000000) % 86400000000)
                / 86400000000,
            NEW.status, 1)
    ON CONFLICT (user_id, day, status) DO UPDATE SET total = total + 1;
END;

CREATE TRIGGER calls_platform_day_count_delete AFTER DELETE ON calls
BEGIN
    UPDATE user_call_day_counts SET total = total - 1
    WHERE user_id = OLD.user_id
      AND day = (OLD.start_time - ((OLD.start_time % 86400000000) + 86400000000) % 86400000000)
                / 86400000000
      AND status = OLD.status AND total > 0;
END;

CREATE TRIGGER calls_platform_day_count_update AFTER UPDATE OF user_id, start_time, status ON calls
WHEN OLD.user_id IS NOT NEW.user_id OR OLD.start_time IS NOT NEW.start_time
  OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE user_call_day_counts SET total = total - 1
    WHERE user_id = OLD.user_id
      AND day = (OLD.start_time - ((OLD.start_time % 86400000000) + 86400000000) % 86400000000)
                / 86400000000
      AND status = OLD.status AND total > 0;
    INSERT INTO user_call_day_counts (user_id, day, status, total)
    VALUES (NEW.user_id,
            (NEW.start_time - ((NEW.start_time % 86400000000) + 86400000000) % 86400000000)
                / 86400000000,
            NEW.status, 1)
    ON CONFLICT (user_id, day, status) DO UPDATE SET total = total + 1;
END;

-- The per-user total follows a call moved to another user too (nothing in the server does
-- that; an operator's UPDATE might).
CREATE TRIGGER calls_platform_count_move AFTER UPDATE OF user_id ON calls
WHEN OLD.user_id IS NOT NEW.user_id
BEGIN
    UPDATE user_call_counts SET total = total - 1 WHERE user_id = OLD.user_id AND total > 0;
    INSERT INTO user_call_counts (user_id, total) VALUES (NEW.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1;
END;

INSERT INTO user_call_day_counts (user_id, day, status, total)
SELECT user_id,
       (start_time - ((start_time % 86400000000) + 86400000000) % 86400000000) / 86400000000,
       status, count(*)
FROM calls WHERE true GROUP BY 1, 2, 3;
