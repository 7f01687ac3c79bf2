-- Call counters kept per statement, and per UTC day and status.
--
-- 1. The row-level triggers of `user_call_counts` upserted the user's one counter row once per
--    inserted call. Inside one statement every upsert leaves a dead version of that row behind,
--    and the next one walks them all: a bulk insert of one user's calls was quadratic (5k rows
--    0.47 s, 10k 2.13 s, 20k 8.31 s). Statement-level triggers read the statement's transition
--    tables and touch each counter row once, whatever the number of rows.
-- 2. `user_call_day_counts` holds one row per user, UTC day and status, so that a filtered
--    history total (dates, status) sums at most one row per day and status of the range and
--    counts only the calls of the partial days at its ends, instead of every matching call.
--    `day` is the number of whole days since 1970-01-01 UTC of the call's start: the same
--    integer on both backends (SQLite computes it from its microseconds).
--
-- No session state (temporary tables, SET): the server may run behind a transaction-mode pooler.

CREATE TABLE IF NOT EXISTS user_call_day_counts (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day integer NOT NULL,
    status varchar(20) NOT NULL,
    total integer NOT NULL CHECK (total >= 0),
    PRIMARY KEY (user_id, day, status)
);

-- Exact for every timestamptz: extract(epoch) is numeric, so floor() never moves a call that
-- started in the last microsecond of a day into the next one.
CREATE OR REPLACE FUNCTION calls_platform_call_day(started timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(extract(epoch FROM started) / 86400)::integer
$$;

-- One counted change: +1 for a call that appeared under (user, day, status), -1 for one that left.
DROP TYPE IF EXISTS calls_platform_count_delta CASCADE;
CREATE TYPE calls_platform_count_delta AS (user_id uuid, day integer, status varchar(20), n bigint);

-- Applies a statement's changes to both counters, each counter row touched once. Per user:
-- the call count moves by the statement's net change, and `writes` (the read replica's
-- read-your-writes marker, migration 2026-12-03-131000) by one for every user whose calls the
-- statement touched, moved or not. Per day and status: only keys whose changes do not cancel
-- out are written. Decrements are UPDATEs (every counted call created its row; the baseline
-- below counted the existing ones), increments upserts. Existing counter rows are locked first,
-- in key order, user rows before day rows: statements touching the same counters then wait for
-- each other in one order and queue instead of deadlocking.
CREATE OR REPLACE FUNCTION calls_platform_apply_count_deltas(deltas calls_platform_count_delta[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    updated uuid[];
BEGIN
    PERFORM 1 FROM user_call_counts AS counter
    WHERE counter.user_id IN (SELECT d.user_id FROM unnest(deltas) AS d)
    ORDER BY counter.user_id FOR UPDATE;

    WITH changed AS (
        UPDATE user_call_counts AS counter
        SET total = greatest(counter.total + delta.n, 0), writes = counter.writes + 1
        FROM (SELECT d.user_id, sum(d.n) AS n FROM unnest(deltas) AS d
              GROUP BY d.user_id) AS delta
        WHERE counter.user_id = delta.user_id
        RETURNING counter.user_id
    )
    SELECT coalesce(array_agg(user_id), '{}') INTO updated FROM changed;

    -- A user's first call: there was no row to update. Decided by what the UPDATE above
    -- touched, not by looking again: a row that another transaction committed in between was
    -- not updated, and is then updated here through the conflict.
    INSERT INTO user_call_counts AS counter (user_id, total, writes)
    SELECT d.user_id, sum(d.n), 1 FROM unnest(deltas) AS d
    WHERE d.user_id <> ALL (updated)
    GROUP BY d.user_id HAVING sum(d.n) > 0 ORDER BY d.user_id
    ON CONFLICT (user_id) DO UPDATE
        SET total = counter.total + EXCLUDED.total, writes = counter.writes + 1;

    PERFORM 1 FROM user_call_day_counts AS counter
    WHERE (counter.user_id, counter.day, counter.status) IN (
        SELECT d.user_id, d.day, d.status FROM unnest(deltas) AS d
        GROUP BY d.user_id, d.day, d.status HAVING sum(d.n) <> 0)
    ORDER BY counter.user_id, counter.day, counter.status FOR UPDATE;

    UPDATE user_call_day_counts AS counter
    SET total = greatest(counter.total + delta.n, 0)
    FROM (SELECT d.user_id, d.day, d.status, sum(d.n) AS n FROM unnest(deltas) AS d
          GROUP BY d.user_id, d.day, d.status HAVING sum(d.n) < 0) AS delta
    WHERE counter.user_id = delta.user_id AND counter.day = delta.day
      AND counter.status = delta.status;

    INSERT INTO user_call_day_counts AS counter (user_id, day, status, total)
    SELECT d.user_id, d.day, d.status, sum(d.n) FROM unnest(deltas) AS d
    GROUP BY d.user_id, d.day, d.status HAVING sum(d.n) > 0
    ORDER BY d.user_id, d.day, d.status
    ON CONFLICT (user_id, day, status) DO UPDATE SET total = counter.total + EXCLUDED.total;
END
$$;

CREATE OR REPLACE FUNCTION calls_platform_count_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM calls_platform_apply_count_deltas(ARRAY(
        SELECT ROW(user_id, calls_platform_call_day(start_time), status, 1)::calls_platform_count_delta
        FROM inserted_calls));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION calls_platform_count_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM calls_platform_apply_count_deltas(ARRAY(
        SELECT ROW(user_id, calls_platform_call_day(start_time), status, -1)::calls_platform_count_delta
        FROM deleted_calls));
    RETURN NULL;
END
$$;

-- Every update counts as a write of its users (the replica marker), whether or not it moved a
-- call between counters; one that moved none (a status callback's ledger, an SDP answer) writes
-- no day counter: its +1 and -1 cancel out.
CREATE OR REPLACE FUNCTION calls_platform_count_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM calls_platform_apply_count_deltas(ARRAY(
        SELECT ROW(user_id, calls_platform_call_day(start_time), status, 1)::calls_platform_count_delta
        FROM calls_after
        UNION ALL
        SELECT ROW(user_id, calls_platform_call_day(start_time), status, -1)::calls_platform_count_delta
        FROM calls_before));
    RETURN NULL;
END
$$;

-- The row-level insert and delete triggers, and the write counter's statement-level update
-- trigger, are replaced by the three below.
DROP TRIGGER IF EXISTS calls_platform_count_update ON calls;
DROP FUNCTION IF EXISTS calls_platform_count_call_updates();
DROP TRIGGER IF EXISTS calls_platform_count_insert ON calls;
DROP TRIGGER IF EXISTS calls_platform_count_delete ON calls;
DROP FUNCTION IF EXISTS calls_platform_count_calls();

CREATE TRIGGER calls_platform_count_inserts AFTER INSERT ON calls
    REFERENCING NEW TABLE AS inserted_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_platform_count_inserted();
CREATE TRIGGER calls_platform_count_deletes AFTER DELETE ON calls
    REFERENCING OLD TABLE AS deleted_calls
    FOR EACH STATEMENT EXECUTE FUNCTION calls_platform_count_deleted();
CREATE TRIGGER calls_platform_count_updates AFTER UPDATE ON calls
    REFERENCING OLD TABLE AS calls_before NEW TABLE AS calls_after
    FOR EACH STATEMENT EXECUTE FUNCTION calls_platform_count_updated();

-- Existing rows, counted again from scratch (the user totals too: a status or start time that an
-- earlier version changed without a trigger is counted right from here on). This runs in the
-- migration's transaction after the triggers: CREATE TRIGGER locks out concurrent writes to
-- `calls` until the commit, so no call is counted twice or missed.
DELETE FROM user_call_day_counts;
INSERT INTO user_call_day_counts (user_id, day, status, total)
SELECT user_id, calls_platform_call_day(start_time), status, count(*)
FROM calls GROUP BY 1, 2, 3;
INSERT INTO user_call_counts (user_id, total)
SELECT user_id, count(*) FROM calls GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE SET total = EXCLUDED.total;
