-- pgbench reference for GET /api/calls/history: the statements the PostgreSQL adapter
-- (crates/adapters-postgres/src/history.rs) issues for one page number, written out by hand as
-- diesel renders them (bench/run.sh captures the real ones with log_statement=all and the report
-- shows both). Variables (pgbench -D): uid (user id), lim (page size + 1), off (offset).
BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT "user_call_counts"."total" FROM "user_call_counts" WHERE ("user_call_counts"."user_id" = :uid) LIMIT 1;
SELECT "calls"."id", "calls"."user_id", "calls"."phone_number", "calls"."country", "calls"."start_time", "calls"."duration", "calls"."status", "calls"."session_id", "calls"."sdp_offer", "calls"."failure_reason", "calls"."ended_at" FROM "calls" WHERE ("calls"."user_id" = :uid) ORDER BY "calls"."start_time" DESC, "calls"."id" DESC LIMIT :lim OFFSET :off;
COMMIT;
