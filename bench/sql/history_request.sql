-- pgbench, for comparison only: every statement one GET /api/calls/history sends (as captured
-- with log_statement=all): the token revocation check, then the transaction of
-- bench/sql/history_page.sql. (Pool checkouts are not tested with SELECT 1 any more.)
-- The revocation check's time parameter is now() here. Variables (pgbench -D): uid, lim, off, jti.
SELECT EXISTS (SELECT "revoked_tokens"."key", "revoked_tokens"."expires_at" FROM "revoked_tokens" WHERE (("revoked_tokens"."key" = :jti) AND ("revoked_tokens"."expires_at" > now())));
BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT "user_call_counts"."total" FROM "user_call_counts" WHERE ("user_call_counts"."user_id" = :uid) LIMIT 1;
SELECT "calls"."id", "calls"."user_id", "calls"."phone_number", "calls"."country", "calls"."start_time", "calls"."duration", "calls"."status", "calls"."session_id", "calls"."sdp_offer", "calls"."failure_reason", "calls"."ended_at" FROM "calls" WHERE ("calls"."user_id" = :uid) ORDER BY "calls"."start_time" DESC, "calls"."id" DESC LIMIT :lim OFFSET :off;
COMMIT;
