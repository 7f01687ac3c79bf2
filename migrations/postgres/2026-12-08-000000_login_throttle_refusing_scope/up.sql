-- login_throttle_admit, saying which limit refused and until when: `account_until` and
-- `client_until`, each NULL when that limit lets the attempt through (both NULL: admitted;
-- the attempt may be retried at the later of the two). A server instance remembers a refusal of that key for a moment and refuses
-- the key's next attempts without a round trip (crates/adapters-postgres/src/refusal_memo.rs);
-- it must know which key refused, so that a locked account does not refuse its colleagues
-- behind the same address, nor a busy address every account.
--
-- Same locks, same order, same counting as login_throttle_admit, which now calls this one (so
-- instances of the previous release, which call login_throttle_admit, keep working during a
-- rolling upgrade).
CREATE OR REPLACE FUNCTION login_throttle_admit_scoped(
    p_account text, p_client text, p_now timestamptz, p_window_us bigint,
    p_account_limit integer, p_client_limit integer,
    OUT account_until timestamptz, OUT client_until timestamptz
) LANGUAGE plpgsql AS $$
DECLARE
    win constant interval := p_window_us * interval '1 microsecond';
    account_failures timestamptz[];
    client_failures timestamptz[];
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

    account_until := login_throttle_locked_until(account_failures, win, p_account_limit);
    client_until := login_throttle_locked_until(client_failures, win, p_client_limit);
    IF account_until IS NULL AND client_until IS NULL THEN
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
END
$$;

CREATE OR REPLACE FUNCTION login_throttle_admit(
    p_account text, p_client text, p_now timestamptz, p_window_us bigint,
    p_account_limit integer, p_client_limit integer
) RETURNS timestamptz LANGUAGE sql AS $$
    SELECT greatest(account_until, client_until) FROM login_throttle_admit_scoped(
        p_account, p_client, p_now, p_window_us, p_account_limit, p_client_limit
    )
$$;
