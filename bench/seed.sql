-- Seeds the benchmark data set straight into the tables the server has migrated.
-- psql variables: pwhash (a password hash the server issued), numbers (a JSON array of
-- [e164, country] pairs the server accepted), voip_users (how many call-placing users).
--
--   1,000 users u0001..u1000@bench.test with 100 calls each,
--   calls20@, calls1k@, calls10k@, calls100k@bench.test with 20, 1,000, 10,000, 100,000 calls,
--   voip1..voipN@bench.test without calls (initiate/terminate scenario).
-- Every user gets the same password hash, so all of them log in with the bench password.
-- Calls: start times spread over the last 365 days, 75 % completed (0-30 min, ended_at set),
-- 15 % failed, 10 % canceled; phone numbers and countries from :numbers.
\set ON_ERROR_STOP on

BEGIN;

CREATE TEMP TABLE bench_plan (email text PRIMARY KEY, n_calls int NOT NULL) ON COMMIT DROP;
INSERT INTO bench_plan
SELECT format('u%s@bench.test', lpad(g::text, 4, '0')), 100 FROM generate_series(1, 1000) AS g;
INSERT INTO bench_plan VALUES
    ('calls20@bench.test', 20),
    ('calls1k@bench.test', 1000),
    ('calls10k@bench.test', 10000),
    ('calls100k@bench.test', 100000);
INSERT INTO bench_plan
SELECT format('voip%s@bench.test', g), 0 FROM generate_series(1, :voip_users) AS g;

INSERT INTO users (id, email, password_hash, created_at)
SELECT gen_random_uuid(), email, :'pwhash', now() - interval '400 days'
FROM bench_plan;

CREATE TEMP TABLE bench_numbers ON COMMIT DROP AS
SELECT (ordinality - 1)::int AS idx, pair ->> 0 AS phone, pair ->> 1 AS country
FROM jsonb_array_elements(:'numbers'::jsonb) WITH ORDINALITY AS t (pair, ordinality);

INSERT INTO calls (id, user_id, phone_number, country, start_time, duration, status, created_at,
                   session_id, failure_reason, ended_at)
SELECT gen_random_uuid(),
       s.user_id,
       n.phone,
       n.country,
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
           (random() * 1800)::int AS seconds,
           (random() * 1000000)::int AS pick
    FROM bench_plan AS p
    JOIN users AS u ON u.email = p.email
    CROSS JOIN LATERAL generate_series(1, p.n_calls) AS g
) AS s
JOIN bench_numbers AS n ON n.idx = s.pick % (SELECT count(*) FROM bench_numbers);

COMMIT;

VACUUM (ANALYZE) users;
VACUUM (ANALYZE) calls;

SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM calls) AS calls;
