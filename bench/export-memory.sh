#!/usr/bin/env bash
# The account export's memory (issue 19, item 5): the release server's peak RSS (VmHWM) before
# and after one user with 100,000 calls downloads GET /api/account/export on PostgreSQL.
#
# Builds the release server (unless BENCH_SKIP_BUILD=1), creates a throw-away database, starts
# the server on it, registers one user, seeds the calls straight into PostgreSQL (each with an
# SDP offer of the mock's size, so the document is tens of megabytes), reads VmHWM, downloads
# the export once, checks that it is one JSON document with every call, reads VmHWM again, and
# prints a Markdown table for docs/BENCHMARKS.md. Stops the server and drops the database.
#
#   BENCH_PG_HOST=127.0.0.1 BENCH_PG_PORT=5432 BENCH_PG_USER=postgres  (trust auth)
#   EXPORT_BENCH_DB=calls_export_bench  EXPORT_BENCH_CALLS=100000  EXPORT_BENCH_PORT=18093
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}
DB=${EXPORT_BENCH_DB:-calls_export_bench}
CALLS=${EXPORT_BENCH_CALLS:-100000}
PORT=${EXPORT_BENCH_PORT:-18093}
ADMIN_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/postgres"
DB_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB"
BIN=$ROOT/target/release/calls-server
WORK=$(mktemp -d)
SERVER_PID=

cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ ${BENCH_SKIP_BUILD:-0} == 1 ]] || cargo build --release -p calls-server

psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
DATABASE_URL=$DB_URL SERVER_HOST=127.0.0.1 SERVER_PORT=$PORT LOG_LEVEL=warn \
  JWT_SECRET=export-bench-secret-of-at-least-32-bytes \
  "$BIN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/system/health" >/dev/null && break
  sleep 0.1
done

vm() { awk -v field="$1:" '$1 == field { print $2 }' "/proc/$SERVER_PID/status"; } # KiB

TOKEN=$(curl -sf -XPOST "http://127.0.0.1:$PORT/api/auth/register" -H 'content-type: application/json' \
  -d '{"email":"export@bench.test","password":"Bench-Passw0rd!x-export"}' | jq -r .token)

SEED_START=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 "$DB_URL" >/dev/null <<SQL
INSERT INTO calls (id, user_id, phone_number, country, start_time, duration, status, created_at,
                   session_id, sdp_offer, failure_reason, ended_at)
SELECT gen_random_uuid(), u.id, '+4930901820', 'DE', t.start_time,
       CASE WHEN g % 4 = 0 THEN 0 ELSE g % 1800 END,
       CASE WHEN g % 4 = 0 THEN 'failed' ELSE 'completed' END,
       t.start_time,
       'MK' || md5(g::text),
       'v=0' || chr(13) || chr(10) || 'o=- ' || g || ' 0 IN IP4 127.0.0.1' || chr(13) || chr(10)
         || 's=calls-platform mock' || chr(13) || chr(10) || 't=0 0' || chr(13) || chr(10)
         || 'm=audio 9 UDP/TLS/RTP/SAVPF 111' || chr(13) || chr(10) || 'a=rtpmap:111 opus/48000/2',
       CASE WHEN g % 4 = 0 THEN 'provider error (seeded)' END,
       t.start_time + interval '1 minute'
FROM users AS u
CROSS JOIN LATERAL generate_series(1, $CALLS) AS g
CROSS JOIN LATERAL (SELECT now() - g * interval '37 seconds' AS start_time) AS t
WHERE u.email = 'export@bench.test';
ANALYZE calls;
SQL
SEED_SECONDS=$(echo "$(date +%s.%N) - $SEED_START" | bc)

# Before: the server after start-up, registration and one small request of each kind.
curl -sf "http://127.0.0.1:$PORT/api/calls/history?limit=100" -H "authorization: Bearer $TOKEN" >/dev/null
BEFORE_HWM=$(vm VmHWM)
BEFORE_RSS=$(vm VmRSS)

START=$(date +%s.%N)
STATUS=$(curl -s -o "$WORK/export.json" -w '%{http_code}' "http://127.0.0.1:$PORT/api/account/export" \
  -H "authorization: Bearer $TOKEN")
SECONDS_TAKEN=$(echo "$(date +%s.%N) - $START" | bc)
AFTER_HWM=$(vm VmHWM)
AFTER_RSS=$(vm VmRSS)

[[ $STATUS == 200 ]] || { echo "export answered $STATUS" >&2; exit 1; }
EXPORTED=$(jq '.calls | length' "$WORK/export.json")
[[ $EXPORTED == "$CALLS" ]] || { echo "exported $EXPORTED calls, seeded $CALLS" >&2; exit 1; }
BYTES=$(stat -c %s "$WORK/export.json")
MIB() { echo "scale=1; $1 / 1024" | bc; }

cat <<EOF_REPORT
| calls | document | download | peak RSS before (VmHWM) | peak RSS after (VmHWM) | RSS after (VmRSS) |
|---:|---:|---:|---:|---:|---:|
| $CALLS | $(echo "scale=1; $BYTES / 1048576" | bc) MiB | $(printf '%.2f' "$SECONDS_TAKEN") s | $(MIB "$BEFORE_HWM") MiB | $(MIB "$AFTER_HWM") MiB | $(MIB "$AFTER_RSS") MiB (before: $(MIB "$BEFORE_RSS") MiB) |

Seeded in $(printf '%.1f' "$SEED_SECONDS") s; the document parsed as JSON with all $EXPORTED calls.
EOF_REPORT
