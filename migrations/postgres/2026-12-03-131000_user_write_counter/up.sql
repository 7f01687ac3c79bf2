-- A per-user count of writes to the user's calls, next to the per-user call count and kept by
-- the same triggers, in the same transaction as the write. A history page read from a read
-- replica compares the replica's value with the primary's: equal means the replica has replayed
-- every write to that user's calls (created, updated by the API, a provider's report, the
-- reaper), so the page is exact; lower means it has not yet, and the page is read from the
-- primary. Exact whatever the replication lag, with no clock or LSN arithmetic (see
-- docs/OPERATIONS.md, read replicas). Additive: the previous release ignores the column, and its
-- writes move it too, since the triggers do it.
ALTER TABLE user_call_counts ADD COLUMN IF NOT EXISTS writes bigint NOT NULL DEFAULT 0;

-- Inserts and deletes: the count as before, and one more write.
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

-- Updates: once per statement, for every user whose calls it changed. The counter rows are
-- locked in user order first, so that two sweeps of the reaper changing several users' calls at
-- once (on two instances) cannot deadlock on them.
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

DROP TRIGGER IF EXISTS calls_platform_count_update ON calls;
CREATE TRIGGER calls_platform_count_update AFTER UPDATE ON calls
    REFERENCING NEW TABLE AS calls_platform_changed_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_platform_count_call_updates();
