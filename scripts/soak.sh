#!/usr/bin/env bash
# Bounded soak (issue 7): builds the release server, starts it on a fresh PostgreSQL database
# with the mock voice provider and limits raised out of the way, runs scripts/soak.py against it,
# stops the server with SIGTERM, and drops the database. Exits non-zero when the soak finds any
# 5xx, unexpected answer, connection error, missing or duplicated call, or when the server does
# not stop cleanly.
#
# Settings (environment):
#   SOAK_CLIENTS=200        concurrent clients
#   SOAK_SECONDS=60         seconds of load
#   SOAK_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres   (TEST_DATABASE_URL if set)
#                           a role allowed to create databases; calls_soak_<random> is created
#                           there and dropped at the end
#   SOAK_LOG_LEVEL=warn     server log level (info logs a line per request)
#   SOAK_SKIP_BUILD=1       use target/release/calls-server as it is
#   SOAK_JSON=path          also write the figures as JSON
#   SOAK_KEEP_LOG=path      copy the server log there
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CLIENTS=${SOAK_CLIENTS:-200}
DURATION=${SOAK_SECONDS:-60}
ADMIN_URL=${SOAK_ADMIN_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}
LOG_LEVEL=${SOAK_LOG_LEVEL:-warn}
VENV=$ROOT/.venv-tools
SERVER_BIN=$ROOT/target/release/calls-server

say() { printf '==> %s\n' "$*"; }

# Python: the stdlib plus aiohttp, in the tools venv (gitignored).
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import aiohttp' >/dev/null 2>&1; then
  say "installing aiohttp into $VENV"
  "$VENV/bin/python" -m pip install --quiet aiohttp
fi

if [ "${SOAK_SKIP_BUILD:-0}" != 1 ]; then
  say "cargo build --release -p calls-server"
  cargo build --release -p calls-server
fi
[ -x "$SERVER_BIN" ] || { echo "no $SERVER_BIN: build it first" >&2; exit 1; }

say "PostgreSQL"
TEST_DATABASE_URL=$ADMIN_URL bash scripts/ensure-postgres.sh

WORK=$(mktemp -d)
DB="calls_soak_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
# The admin URL with the database name replaced (query string kept).
DB_URL=$(python3 -c '
import sys, urllib.parse as u
url = u.urlsplit(sys.argv[1])
print(u.urlunsplit(url._replace(path="/" + sys.argv[2])))' "$ADMIN_URL" "$DB")
SERVER_PID=
cleanup() {
  status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${SOAK_KEEP_LOG:-}" ] && [ -f "$WORK/server.log" ]; then
    cp "$WORK/server.log" "$SOAK_KEEP_LOG"
  fi
  psql "$ADMIN_URL" -XAtq -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 \
    || echo "warning: could not drop database $DB" >&2
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "database $DB"
psql "$ADMIN_URL" -XAtq -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB"

# Limits that would otherwise refuse parts of the mix: calls in progress per user, and the login
# throttle (only failures count, and the soak logs in with the right password, but a soak must
# not be stopped by a protection against guessing).
cat >"$WORK/soak.toml" <<'EOF'
[auth.throttle]
account_max_failures = 1000000
address_max_failures = 1000000
window_secs = 1

[voip]
provider = "mock"
max_active_calls_per_user = 1000000
max_calls_per_day = 0
EOF

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
say "starting calls-server on $BASE"
env -i PATH="$PATH" \
  DATABASE_URL="$DB_URL" \
  JWT_SECRET="soak-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  SERVER_HOST=127.0.0.1 SERVER_PORT="$PORT" \
  VOIP_PROVIDER=mock VOIP_MAX_ACTIVE_CALLS_PER_USER=1000000 \
  CALLS_CONFIG="$WORK/soak.toml" \
  LOG_LEVEL="$LOG_LEVEL" LOG_FORMAT=json \
  "$SERVER_BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 120); do
  if curl -fsS "$BASE/system/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "calls-server exited:" >&2; tail -n 30 "$WORK/server.log" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "$BASE/system/ready" >/dev/null || { echo "calls-server not ready" >&2; exit 1; }

say "soak: $CLIENTS clients for $DURATION s"
soak_status=0
"$VENV/bin/python" scripts/soak.py --base "$BASE" --server-pid "$SERVER_PID" \
  --clients "$CLIENTS" --seconds "$DURATION" --database-url "$DB_URL" \
  ${SOAK_JSON:+--json "$SOAK_JSON"} || soak_status=$?

say "stopping calls-server (SIGTERM)"
stopping=$(date +%s.%N)
kill -TERM "$SERVER_PID"
server_status=0
wait "$SERVER_PID" || server_status=$?
SERVER_PID=
awk -v status="$server_status" -v from="$stopping" -v to="$(date +%s.%N)" \
  'BEGIN { printf "server: exit status %s, %.2f s after SIGTERM\n", status, to - from }'
errors=$(grep -c '"level":"ERROR"' "$WORK/server.log" || true)
echo "server log: $errors ERROR lines"
if [ "$errors" -gt 0 ]; then grep '"level":"ERROR"' "$WORK/server.log" | head -n 10; fi

if [ "$soak_status" -ne 0 ] || [ "$server_status" -ne 0 ] || [ "$errors" -gt 0 ]; then
  echo "soak failed" >&2
  exit 1
fi
echo "soak passed"
