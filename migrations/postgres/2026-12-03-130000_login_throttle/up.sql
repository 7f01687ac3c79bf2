-- Failed logins, shared by every server instance on this database, so the per-account and
-- per-client limits (auth.throttle.*) hold for the whole deployment and survive restarts.
--
-- One row per key: an account (its lower-case email) or a client network (an IPv4 address, or
-- an IPv6 /64 written as its network address). `failures` holds the times of the key's most
-- recent failures, oldest first, never more than the limit: older ones cannot change an answer.
-- `expires_at` is when the newest of them leaves the window (an upper bound once a failure has
-- been taken back): from then on the row says nothing and may be deleted.
CREATE TABLE IF NOT EXISTS login_throttle (
    scope text NOT NULL CHECK (scope IN ('account', 'client')),
    key text NOT NULL,
    failures timestamptz[] NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX IF NOT EXISTS idx_login_throttle_expires_at ON login_throttle (expires_at);

-- The failures of `stored` inside the window ending at `asked_at`, oldest first, at most
-- `keep` (the newest ones).
CREATE OR REPLACE FUNCTION login_throttle_recent(
    stored timestamptz[], asked_at timestamptz, win interval, keep integer
) RETURNS timestamptz[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(failure ORDER BY failure), '{}')
    FROM (
        SELECT failure FROM unnest(stored) AS failure
        WHERE failure > asked_at - win
        ORDER BY failure DESC
        LIMIT greatest(keep, 1)
    ) AS newest
$$;

-- When a key with these (recent, at most `lim`) failures may fail again: NULL below the limit,
-- else when the oldest counted failure leaves the window.
CREATE OR REPLACE FUNCTION login_throttle_locked_until(
    recent timestamptz[], win interval, lim integer
) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN cardinality(recent) >= greatest(lim, 1)
        THEN recent[cardinality(recent) - greatest(lim, 1) + 1] + win
    END
$$;

-- `stored` without one failure at `taken` (an admitted attempt taken back); the others stay.
CREATE OR REPLACE FUNCTION login_throttle_without(
    stored timestamptz[], taken timestamptz
) RETURNS timestamptz[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN array_position(stored, taken) IS NULL THEN stored
        ELSE stored[:array_position(stored, taken) - 1]
            || stored[array_position(stored, taken) + 1:]
    END
$$;

-- One login attempt, in one statement (one round trip, and atomic: it runs in the statement's
-- own transaction). Returns NULL when the attempt is admitted, which counts it as a failure of
-- the account and of the client network; else when it may be retried (refusals are not
-- counted).
--
-- Both rows are locked by an upsert before either is read, the account's first: every function
-- here takes them in that order, so concurrent attempts on a key queue behind each other
-- instead of deadlocking, and none can slip past a limit between the check and the count.
-- Rows are created on first use; a refused attempt's new, empty row expires at once.
--
-- Expired rows are purged a few at a time on the way (SKIP LOCKED: never waits for, nor
-- deadlocks with, another instance), so the table stays bounded under a flood of attempts
-- with distinct keys even between the periodic purges.
CREATE OR REPLACE FUNCTION login_throttle_admit(
    p_account text, p_client text, p_now timestamptz, p_window_us bigint,
    p_account_limit integer, p_client_limit integer
) RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    win constant interval := p_window_us * interval '1 microsecond';
    account_failures timestamptz[];
    client_failures timestamptz[];
    retry_at timestamptz;
BEGIN
    INSERT INTO login_throttle AS t (scope, key, failures, expires_at)
    VALUES ('account', p_account, '{}', p_now)
    ON CONFLICT (scope, key) DO UPDATE SET failures = t.failures
    RETURNING login_throttle_recent(t.failures, p_now, win, p_account_limit)
    INTO account_failures;

    INSERT INTO login_throttle AS t (scope, key, failures, expires_at)
    VALUES ('client', p_client, '{}', p_now)
    ON CONFLICT (scope, key) DO UPDATE SET failures = t.failures
    RETURNING login_throttle_recent(t.failures, p_now, win, p_client_limit)
    INTO client_failures;

    retry_at := greatest(
        login_throttle_locked_until(account_failures, win, p_account_limit),
        login_throttle_locked_until(client_failures, win, p_client_limit)
    );
    IF retry_at IS NULL THEN
        account_failures :=
            login_throttle_recent(account_failures || p_now, p_now, win, p_account_limit);
        client_failures :=
            login_throttle_recent(client_failures || p_now, p_now, win, p_client_limit);
    END IF;

    UPDATE login_throttle
    SET failures = account_failures,
        expires_at = coalesce(account_failures[cardinality(account_failures)] + win, p_now)
    WHERE scope = 'account' AND key = p_account;
    UPDATE login_throttle
    SET failures = client_failures,
        expires_at = coalesce(client_failures[cardinality(client_failures)] + win, p_now)
    WHERE scope = 'client' AND key = p_client;

    DELETE FROM login_throttle AS t
    USING (
        SELECT scope, key FROM login_throttle
        WHERE expires_at <= p_now
        ORDER BY expires_at
        LIMIT 4
        FOR UPDATE SKIP LOCKED
    ) AS expired
    WHERE t.scope = expired.scope AND t.key = expired.key;

    RETURN retry_at;
END
$$;

-- Settles an admitted attempt: takes back its failure at `p_at` on the client network, and on
-- the account either clears every failure (`p_clear_account`: the password was right) or
-- takes back only this one (the attempt could not be judged). Same lock order as
-- login_throttle_admit.
CREATE OR REPLACE FUNCTION login_throttle_settle(
    p_account text, p_client text, p_at timestamptz, p_clear_account boolean
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_clear_account THEN
        DELETE FROM login_throttle WHERE scope = 'account' AND key = p_account;
    ELSE
        UPDATE login_throttle SET failures = login_throttle_without(failures, p_at)
        WHERE scope = 'account' AND key = p_account;
    END IF;
    UPDATE login_throttle SET failures = login_throttle_without(failures, p_at)
    WHERE scope = 'client' AND key = p_client;
END
$$;
