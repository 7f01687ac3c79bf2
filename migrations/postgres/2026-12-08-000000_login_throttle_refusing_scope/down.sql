-- login_throttle_admit as 2026-12-03-130000_login_throttle made it, then the scoped one gone.
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
DROP FUNCTION IF EXISTS login_throttle_admit_scoped(text, text, timestamptz, bigint, integer, integer);
