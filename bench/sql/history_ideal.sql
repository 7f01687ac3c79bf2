-- The yardstick for GET /api/calls/history (target t1): the least work the database can do to
-- answer the question a history request asks, written from the question, not from what the
-- server sends: "is this token revoked; if not, how many calls has this user, and which are the
-- newest :lim of them after :off?" One statement, one round trip, no transaction: the
-- revocation as an EXISTS, the total as the user's counter row, the page read only when the
-- token is not revoked, laterally joined so that an empty page still answers the total.
-- Variables (pgbench -D): uid (user id), lim (page size + 1), off (offset), jti (a revocation
-- key that is not revoked).
SELECT r.revoked, t.total, p.id, p.phone_number, p.country, p.start_time, p.duration, p.status,
       p.session_id, p.failure_reason, p.ended_at
FROM (SELECT EXISTS (SELECT 1 FROM revoked_tokens
                     WHERE key = :jti AND expires_at > now()) AS revoked) AS r
CROSS JOIN LATERAL (SELECT coalesce((SELECT total FROM user_call_counts WHERE user_id = :uid),
                                    0) AS total) AS t
LEFT JOIN LATERAL (SELECT id, phone_number, country, start_time, duration, status, session_id,
                          failure_reason, ended_at
                   FROM calls
                   WHERE user_id = :uid AND NOT r.revoked
                   ORDER BY start_time DESC, id DESC
                   LIMIT :lim OFFSET :off) AS p ON true;
