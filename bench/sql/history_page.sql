-- pgbench reference for GET /api/calls/history AS IT WAS before the history read became one
-- statement (issue 18; kept to compare with bench/sql/history_ideal.sql): every statement the
-- PostgreSQL adapter sent for one page number, written out by hand as diesel rendered them (bench/run.sh captures the real ones with log_statement=all and the report
-- shows both): the read-only snapshot, the total read with the token revocation check in one
-- statement, the page. Variables (pgbench -D): uid (user id), lim (page size + 1), off (offset),
-- jti (a revocation key that is not revoked). The revocation check's time is now() here.
BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT (SELECT "user_call_counts"."total" FROM "user_call_counts" WHERE ("user_call_counts"."user_id" = :uid) LIMIT 1), EXISTS (SELECT "revoked_tokens"."key", "revoked_tokens"."expires_at" FROM "revoked_tokens" WHERE (("revoked_tokens"."key" = :jti) AND ("revoked_tokens"."expires_at" > now())));
SELECT "calls"."id", "calls"."user_id", "calls"."phone_number", "calls"."country", "calls"."start_time", "calls"."duration", "calls"."status", "calls"."session_id", "calls"."sdp_offer", "calls"."failure_reason", "calls"."ended_at" FROM "calls" WHERE ("calls"."user_id" = :uid) ORDER BY "calls"."start_time" DESC, "calls"."id" DESC LIMIT :lim OFFSET :off;
COMMIT;
