-- Grows the benchmark data set to the large one of issue 18: :extra_users more users
-- (l000001@bench.test ...) with :calls_per_user calls each, plus one more call for the first
-- :remainder of them, so that calls holds 5,000,000 rows over 100,000 users with the default
-- variables bench/run.sh passes. Same call mix as bench/seed.sql (spread over 365 days, 75 %
-- completed, 15 % failed, 10 % canceled). One INSERT per table: the counters are kept per
-- statement (migration 2026-12-03-140000), so this is linear in the rows.
\set ON_ERROR_STOP on

BEGIN;

INSERT INTO users (id, email, password_hash, created_at)
SELECT gen_random_uuid(), format('l%s@bench.test', lpad(g::text, 6, '0')), 'x',
       now() - interval '400 days'
FROM generate_series(1, :extra_users) AS g;

INSERT INTO calls (id, user_id, phone_number, country, start_time, duration, status, created_at,
                   session_id, failure_reason, ended_at)
SELECT gen_random_uuid(),
       s.user_id,
       '+4930901820',
       'DE',
       s.start_time,
       CASE WHEN s.r < 0.75 THEN s.seconds ELSE 0 END,
       CASE WHEN s.r < 0.75 THEN 'completed' WHEN s.r < 0.90 THEN 'failed' ELSE 'canceled' END,
       s.start_time,
       'MK' || md5(s.user_id::text || s.g::text),
       CASE WHEN s.r >= 0.75 AND s.r < 0.90 THEN 'provider error (seeded)' END,
       CASE WHEN s.r < 0.75 THEN s.start_time + s.seconds * interval '1 second'
            ELSE s.start_time + interval '20 seconds' END
FROM (
    SELECT u.id AS user_id,
           g,
           now() - random() * interval '365 days' AS start_time,
           random() AS r,
           (random() * 1800)::int AS seconds
    FROM (SELECT id, row_number() OVER (ORDER BY email) AS n
          FROM users WHERE email ~ '^l[0-9]{6}@bench[.]test$') AS u
    CROSS JOIN LATERAL generate_series(1, :calls_per_user + (u.n <= :remainder)::int) AS g
) AS s;

COMMIT;

VACUUM (ANALYZE) users;
VACUUM (ANALYZE) calls;

SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM calls) AS calls;
