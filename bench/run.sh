#!/usr/bin/env bash
# The benchmark suite of issue 8 (`just bench`). See bench/README.md.
#
# Builds the release server, starts it on a fresh PostgreSQL database, seeds the data set, runs
# the wrk scenarios and the pgbench / password-hash references, and writes docs/BENCHMARKS.md.
#
# Settings (environment):
#   BENCH_DURATION=10            seconds measured per scenario (also pgbench -T)
#   BENCH_WARMUP=2               seconds of unmeasured load before each scenario (0: none)
#   BENCH_CONNECTIONS=32         wrk connections (and pgbench clients)
#   BENCH_THREADS=2              wrk threads (and pgbench threads)
#   BENCH_HEALTH_CONNECTIONS=4   connections of the health probe during the login flood
#   BENCH_PG_HOST=127.0.0.1 BENCH_PG_PORT=5432 BENCH_PG_USER=postgres  (trust auth)
#   BENCH_DB=calls_bench         database, dropped and re-created by every run
#   BENCH_PG_LOG=/var/log/postgresql/postgresql-15-main.log  server log, to capture the SQL
#   PGBENCH=/usr/lib/postgresql/15/bin/pgbench
#   BENCH_QUIET_WAIT=0           before each scenario, wait up to this many seconds for the
#                                machine to be idle (below BENCH_QUIET_PCT=15 % busy): on a shared
#                                machine, other people's builds otherwise land in the numbers
#   BENCH_SKIP_BUILD=1           use the binaries already built
#   BENCH_REPORT=docs/BENCHMARKS.md
#   BENCH_POOLER=pgbouncer       also run the history and call scenarios through a private
#                                PgBouncer in transaction mode (DATABASE_POOLER=transaction),
#                                reported next to the direct figures; default: direct only
#   BENCH_POOLER_POOL_SIZE=20    PgBouncer's server connections (default_pool_size)
#   BENCH_ONLY="hist_20 ref:hist_20_ideal flood"
#                                a quick look while working on one target: only these
#                                scenarios (names as in the results), pgbench references
#                                ("ref:" + name) and the login flood ("flood"); no hash timer,
#                                bulk insert, EXPLAIN or large data set; docs/BENCHMARKS.md is
#                                left alone and a summary is printed instead
#   BENCH_SERVER_ENV="VAR=value ..."  extra environment of the server (an experiment's settings,
#                                e.g. DATABASE_MAX_CONNECTIONS=8); recorded in the report
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
HEALTH_CONNS=${BENCH_HEALTH_CONNECTIONS:-4}
QUIET_WAIT=${BENCH_QUIET_WAIT:-0}
QUIET_PCT=${BENCH_QUIET_PCT:-15}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}
DB=${BENCH_DB:-calls_bench}
PG_LOG=${BENCH_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
REPORT=${BENCH_REPORT:-docs/BENCHMARKS.md}
POOLER=${BENCH_POOLER:-}
POOLER_POOL_SIZE=${BENCH_POOLER_POOL_SIZE:-20}
ONLY=${BENCH_ONLY:-}
read -ra SERVER_EXTRA_ENV <<<"${BENCH_SERVER_ENV:-}"
SERVER_BIN=$ROOT/target/release/calls-server
HASH_TOOL_TARGET=$ROOT/target/bench-tools
HASH_TOOL=$HASH_TOOL_TARGET/release/bench-hash-time
PASSWORD='Bench-Passw0rd!x'
RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results/$RUN_ID
LUA=$ROOT/bench/lua
DB_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB"
ADMIN_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/postgres"
# Each seeded group: email pattern -> calls per user (bench/seed.sql).
N_PLAIN_TOKENS=64   # of the 1,000 100-call users, this many are logged in for history reads

case $POOLER in
  ''|pgbouncer) ;;
  *) echo "bench: BENCH_POOLER must be empty or pgbouncer" >&2; exit 2 ;;
esac
for var in DURATION WARMUP CONNS THREADS HEALTH_CONNS QUIET_WAIT QUIET_PCT POOLER_POOL_SIZE; do
  [[ ${!var} =~ ^[0-9]+$ ]] || { echo "bench: $var must be a whole number" >&2; exit 2; }
done
(( DURATION > 0 && CONNS >= THREADS && THREADS > 0 )) || { echo "bench: bad settings" >&2; exit 2; }

mkdir -p "$RESULTS"
SERVER_PID=
PGBOUNCER_PID=
RSS_PID=
CPU_PID=
FLOOD_PID=
log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
# wanted NAME: is NAME part of this run (every part is, unless BENCH_ONLY names some)?
wanted() { [[ -z $ONLY || " $ONLY " == *" $1 "* ]]; }
meta() { printf '%s\t%s\n' "$1" "$2" >>"$RESULTS/meta.tsv"; }

cleanup() {
  local pid
  for pid in "$FLOOD_PID" "$RSS_PID" "$CPU_PID"; do
    [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  done
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $PGBOUNCER_PID ]]; then
    kill -TERM "$PGBOUNCER_PID" 2>/dev/null || true
    wait "$PGBOUNCER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

psql_db() { psql "$DB_URL" -v ON_ERROR_STOP=1 -X -q "$@"; }
psql_admin() { psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -X -q "$@"; }

# --- tools -----------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "wrk is missing: installing the Debian package"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in wrk psql curl python3 "$PGBENCH"; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
if [[ -n $POOLER ]]; then
  bash scripts/ensure-pgbouncer.sh --install >&2 || die "pgbouncer could not be installed"
fi

# --- build -----------------------------------------------------------------------------------
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "building the release server (cargo build --release --locked --bin calls-server)"
  cargo build --release --locked --bin calls-server
  log "building the hash timer (bench/hash-time, same argon2 crate and profile)"
  CARGO_TARGET_DIR=$HASH_TOOL_TARGET cargo build --release --locked --offline \
    --manifest-path bench/hash-time/Cargo.toml \
    || CARGO_TARGET_DIR=$HASH_TOOL_TARGET cargo build --release --locked \
      --manifest-path bench/hash-time/Cargo.toml \
    || log "hash timer did not build: login latency at concurrency 1 will stand in for it"
fi
[[ -x $SERVER_BIN ]] || die "$SERVER_BIN is missing (build failed?)"

# --- PostgreSQL ------------------------------------------------------------------------------
TEST_DATABASE_URL=$ADMIN_URL bash scripts/ensure-postgres.sh >&2
log "re-creating database $DB"
psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
CAPTURE=0
if [[ -r $PG_LOG ]]; then
  # Phase 1 logs every statement of this database, to show the SQL the server really sends.
  psql_admin -c "ALTER DATABASE $DB SET log_statement = 'all'"
  CAPTURE=1
fi

# --- server ----------------------------------------------------------------------------------
PORT=
BASE_URL=
JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')

# Where the server connects: PostgreSQL directly, or (pooled scenarios) PgBouncer, with the
# settings in SERVER_POOLER_ENV.
SERVER_DB_URL=$DB_URL
SERVER_POOLER_ENV=()

# Starts a server process on a free loopback port (the same JWT secret every time, so tokens
# stay valid from one process to the next).
start_server() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  BASE_URL=http://127.0.0.1:$PORT
  env -u CALLS_CONFIG -u METRICS_ADDR -u CORS_ALLOWED_ORIGINS -u VOIP_ALLOWED_COUNTRIES \
    -u VOIP_BLOCKED_PREFIXES -u POSTGRES_HOST -u JWT_SECRET_KEY \
    -u DATABASE_POOLER -u DATABASE_MIGRATION_URL \
    DATABASE_URL="$SERVER_DB_URL" JWT_SECRET="$JWT_SECRET" VOIP_PROVIDER=mock LOG_LEVEL=warn \
    LOG_FORMAT=text SERVER_HOST=127.0.0.1 SERVER_PORT="$PORT" \
    VOIP_MAX_CALLS_PER_DAY=1000000000 VOIP_MAX_ACTIVE_CALLS_PER_USER=1000000 \
    "${SERVER_POOLER_ENV[@]}" "${SERVER_EXTRA_ENV[@]}" "$SERVER_BIN" >>"$RESULTS/server.log" 2>&1 &
  SERVER_PID=$!
  local _
  for _ in $(seq 1 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || die "server exited at start (see $RESULTS/server.log)"
    if curl -fsS -o /dev/null "$BASE_URL/system/ready" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  die "server did not become ready"
}
stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=
}
vm() { # FIELD -> KiB of the running server (VmRSS, VmHWM)
  awk -v field="$1:" '$1 == field { print $2 }' "/proc/$SERVER_PID/status"
}

# api METHOD PATH TOKEN BODY -> sets API_STATUS and API_BODY
API_STATUS=
API_BODY=
api() {
  local method=$1 path=$2 token=${3:-} body=${4:-}
  local args=(-sS -o "$RESULTS/.api_body" -w '%{http_code}' -X "$method")
  [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  API_STATUS=$(curl "${args[@]}" "$BASE_URL$path") || API_STATUS=000
  API_BODY=$(cat "$RESULTS/.api_body" 2>/dev/null || true)
}
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }
login() {
  api POST /api/auth/login "" "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}"
  [[ $API_STATUS == 200 ]] || die "login of $1 answered $API_STATUS: $API_BODY"
  json 'd["token"]' <<<"$API_BODY"
}

start_server
log "phase 1: server on $BASE_URL (migrated $DB): register, seed"
api POST /api/auth/register "" "{\"email\":\"seed@bench.test\",\"password\":\"$PASSWORD\"}"
[[ $API_STATUS == 201 ]] || die "register answered $API_STATUS: $API_BODY"
SEED_TOKEN=$(json 'd["token"]' <<<"$API_BODY")
PWHASH=$(psql_db -Atc "SELECT password_hash FROM users WHERE email = 'seed@bench.test'")
meta password_hash_prefix "$(cut -d'$' -f1-4 <<<"$PWHASH")"

# Phone numbers for the seeded calls: only those the server itself accepts (POST /api/calls
# validates with libphonenumber).
NUMBERS='['
for pair in "+447911123456 GB" "+442079460958 GB" "+4930901820 DE" "+14155552671 US" \
            "+33142685300 FR" "+61293744000 AU" "+81335812111 JP" "+34915550000 ES"; do
  read -r number country <<<"$pair"
  api POST /api/calls "$SEED_TOKEN" "{\"phone_number\":\"$number\"}"
  if [[ $API_STATUS == 201 ]]; then
    NUMBERS+="[\"$number\",\"$country\"],"
  else
    log "phone number $number refused ($API_STATUS), not used"
  fi
done
NUMBERS="${NUMBERS%,}]"
[[ $NUMBERS != '[]' ]] || die "the server accepted none of the phone numbers"
meta phone_numbers "$NUMBERS"

log "seeding (bench/seed.sql)"
seed_start=$(date +%s.%N)
psql_db -v pwhash="$PWHASH" -v numbers="$NUMBERS" -v voip_users="$THREADS" -f bench/seed.sql \
  >"$RESULTS/seed.txt"
meta seed_seconds "$(python3 -c "print(round($(date +%s.%N) - $seed_start, 1))")"
meta seed_users "$(psql_db -Atc 'SELECT count(*) FROM users')"
meta seed_calls "$(psql_db -Atc 'SELECT count(*) FROM calls')"

if (( CAPTURE )); then
  log "capturing the SQL of one history request (page 1, then a cursor page)"
  T20=$(login calls20@bench.test)
  T100K=$(login calls100k@bench.test)
  sleep 0.3
  offset=$(stat -c %s "$PG_LOG")
  api GET '/api/calls/history' "$T20"
  echo "=== GET /api/calls/history (calls20 user, page 1) -> $API_STATUS" >"$RESULTS/statements.log"
  sleep 0.3
  tail -c +"$((offset + 1))" "$PG_LOG" | grep -F "@$DB " >>"$RESULTS/statements.log" || true
  api GET '/api/calls/history' "$T100K"
  cursor=$(json 'd.get("next_cursor", "")' <<<"$API_BODY")
  sleep 0.3
  offset=$(stat -c %s "$PG_LOG")
  api GET "/api/calls/history?cursor=$cursor" "$T100K"
  echo "=== GET /api/calls/history?cursor=... (calls100k user, page 2) -> $API_STATUS" >>"$RESULTS/statements.log"
  sleep 0.3
  tail -c +"$((offset + 1))" "$PG_LOG" | grep -F "@$DB " >>"$RESULTS/statements.log" || true
fi

# Tokens for the scenarios, from this process: the measured processes then start clean (each
# login leaves its mark on the process's memory, see the report).
log "logging in the bench users"
meta setup_rss_before_logins_kib "$(vm VmRSS)"
PLAIN_TOKENS=
for i in $(seq 1 "$N_PLAIN_TOKENS"); do
  PLAIN_TOKENS+=$(login "$(printf 'u%04d@bench.test' "$i")"),
done
PLAIN_TOKENS=${PLAIN_TOKENS%,}
T20=$(login calls20@bench.test)
T1K=$(login calls1k@bench.test)
T10K=$(login calls10k@bench.test)
T100K=$(login calls100k@bench.test)
VOIP_TOKENS=
for i in $(seq 1 "$THREADS"); do VOIP_TOKENS+=$(login "voip$i@bench.test"),; done
VOIP_TOKENS=${VOIP_TOKENS%,}
meta setup_logins "$((N_PLAIN_TOKENS + 4 + THREADS))"
meta setup_rss_after_logins_kib "$(vm VmRSS)"
# The destination list is rendered on its first request (phone-number patterns compiled for
# every country's example): its memory is shown apart, since no scenario asks for it.
curl -fsS -o /dev/null "$BASE_URL/api/countries" || log "GET /api/countries failed"
meta setup_rss_after_countries_kib "$(vm VmRSS)"
stop_server
psql_admin -c "ALTER DATABASE $DB RESET log_statement"

# --- phase 2: checks on a fresh server ---------------------------------------------------------
log "phase 2: checks"
start_server

# The cursor of page 1,000 (limit 20) of the 100,000-call user: the next_cursor of page 999.
api GET '/api/calls/history?page=999' "$T100K"
CURSOR=$(json 'd.get("next_cursor", "")' <<<"$API_BODY")
[[ $API_STATUS == 200 && -n $CURSOR ]] || die "page 999 gave no next_cursor ($API_STATUS)"
api GET '/api/calls/history?page=1000' "$T100K"
by_page=$(json '[c["callId"] for c in d["calls"]]' <<<"$API_BODY")
api GET "/api/calls/history?cursor=$CURSOR" "$T100K"
by_cursor=$(json '[d["page"], [c["callId"] for c in d["calls"]]]' <<<"$API_BODY")
if [[ $by_cursor == "[1000, $by_page]" ]]; then
  meta cursor_check "ok: ?cursor= returns page 1000, the same 20 calls as ?page=1000"
else
  meta cursor_check "MISMATCH: cursor and page=1000 differ"
  log "warning: the cursor page differs from page=1000"
fi
meta cursor "$CURSOR"

DATE_FROM=$(date -u -d '60 days ago' +%Y-%m-%dT%H:%M:%SZ)
DATE_TO=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
DATE_QUERY="date_from=$DATE_FROM&date_to=$DATE_TO"
# A 365-day filter ending now: nearly all of the 100,000-call user's calls match.
DATE365_QUERY="date_from=$(date -u -d '365 days ago' +%Y-%m-%dT%H:%M:%SZ)&date_to=$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Smoke check: each history scenario answers 200 with the seeded total.
check_history() { # name token query expected_total
  local total
  api GET "/api/calls/history$3" "$2"
  [[ $API_STATUS == 200 ]] || die "$1: history answered $API_STATUS: $API_BODY"
  total=$(json 'd["total"]' <<<"$API_BODY")
  if [[ -n $4 && $total != "$4" ]]; then die "$1: total $total, expected $4"; fi
  meta "total_$1" "$total"
}
check_history hist_100 "${PLAIN_TOKENS%%,*}" "" 100
check_history hist_20 "$T20" "" 20
check_history hist_1k "$T1K" "" 1000
check_history hist_10k "$T10K" "" 10000
check_history hist_100k "$T100K" "" 100000
check_history hist_date "$T100K" "?$DATE_QUERY" ""

# Is initiate/terminate served yet?
VOIP_PHONE=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0][0])' "$NUMBERS")
VOIP=available
api POST /api/calls/initiate "${VOIP_TOKENS%%,*}" "{\"phone_number\":\"$VOIP_PHONE\"}"
if [[ $API_STATUS == 200 ]]; then
  call_id=$(json 'd["call_id"]' <<<"$API_BODY")
  api POST /api/calls/terminate "${VOIP_TOKENS%%,*}" "{\"call_id\":\"$call_id\"}"
  [[ $API_STATUS == 200 ]] || VOIP="not available: terminate answered $API_STATUS ($API_BODY)"
elif [[ $API_STATUS == 404 ]]; then
  VOIP="not available: POST /api/calls/initiate answered 404 (route not in this build)"
else
  VOIP="not available: initiate answered $API_STATUS ($API_BODY)"
fi
meta voip "$VOIP"
log "initiate/terminate: $VOIP"
stop_server

# --- measurement helpers ---------------------------------------------------------------------
rss_start() { # file: max VmRSS (KiB) of the server while it runs
  local out=$1
  echo 0 >"$out"
  (
    max=0
    while :; do
      rss=
      while read -r key value _; do
        if [[ $key == VmRSS: ]]; then rss=$value; break; fi
      done <"/proc/$SERVER_PID/status" || break
      if [[ -n $rss ]] && (( rss > max )); then max=$rss; echo "$max" >"$out.tmp" && mv -f "$out.tmp" "$out"; fi
      sleep 0.1
    done
  ) &
  RSS_PID=$!
}
rss_stop() { kill "$RSS_PID" 2>/dev/null || true; wait "$RSS_PID" 2>/dev/null || true; RSS_PID=; }
# Other work on the machine: wait for quiet (BENCH_QUIET_WAIT), and measure the CPU time other
# processes take while a scenario runs (bench/cpu.py).
quiet() { # name
  if (( QUIET_WAIT > 0 )); then
    python3 bench/cpu.py quiet "$QUIET_WAIT" "$QUIET_PCT" >"$RESULTS/$1.quiet"
    log "  waited for an idle machine: $(cat "$RESULTS/$1.quiet")"
  fi
}
cpu_start() { python3 bench/cpu.py foreign "$RESULTS/$1.cpu.json" & CPU_PID=$!; }
cpu_stop() { kill -TERM "$CPU_PID" 2>/dev/null || true; wait "$CPU_PID" 2>/dev/null || true; CPU_PID=; }

scenario_meta() { # name conns threads script detail
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(cat "$RESULTS/$1.rss" 2>/dev/null || echo 0)" \
    "$LOAD_BEFORE" "$5" "$(cat "$RESULTS/$1.hwm" 2>/dev/null || echo 0)" >>"$RESULTS/scenarios.tsv"
}

# scenario NAME CONNS THREADS SCRIPT DETAIL [VAR=value ...]
scenario() {
  local name=$1 conns=$2 threads=$3 script=$4 detail=$5
  shift 5
  wanted "$name" || return 0
  log "scenario $name: $detail ($conns connections, $threads threads, ${WARMUP}s + ${DURATION}s)"
  quiet "$name"
  start_server
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  rss_start "$RESULTS/$name.rss"
  cpu_start "$name"
  if (( WARMUP > 0 )); then
    env "$@" BENCH_LUA_DIR="$LUA" BENCH_OUT=/dev/null BENCH_RUN_ID="${RUN_ID}w" \
      wrk -c "$conns" -t "$threads" -d "${WARMUP}s" --timeout 10s -s "$LUA/$script" "$BASE_URL" >/dev/null
  fi
  env "$@" BENCH_LUA_DIR="$LUA" BENCH_OUT="$RESULTS/$name.json" BENCH_RUN_ID="$RUN_ID" \
    wrk -c "$conns" -t "$threads" -d "${DURATION}s" --timeout 10s --latency -s "$LUA/$script" \
    "$BASE_URL" >"$RESULTS/$name.wrk.txt"
  cpu_stop
  rss_stop
  vm VmHWM >"$RESULTS/$name.hwm"
  stop_server
  scenario_meta "$name" "$conns" "$threads" "$script" "$detail"
}

meta date_utc "$(date -u +'%Y-%m-%d %H:%M:%S UTC')"
meta run_id "$RUN_ID"
meta nproc "$(nproc)"
meta cpu_model "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta mem_total "$(grep -m1 MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2-)"
meta kernel "$(uname -sr)"
meta postgres "$(psql_db -Atc 'SHOW server_version')"
meta wrk "$(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)"
meta git_commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
meta git_dirty "$(git status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null | wc -l)"
meta server_binary_mtime "$(date -u -r "$SERVER_BIN" +'%Y-%m-%d %H:%M:%S UTC')"
meta command "bash bench/run.sh"
meta settings "BENCH_DURATION=$DURATION BENCH_WARMUP=$WARMUP BENCH_CONNECTIONS=$CONNS BENCH_THREADS=$THREADS BENCH_HEALTH_CONNECTIONS=$HEALTH_CONNS BENCH_QUIET_WAIT=$QUIET_WAIT BENCH_QUIET_PCT=$QUIET_PCT"
meta env_overrides "$(env | grep -E '^(BENCH_|PGBENCH=)' | sort | tr '\n' ' ')"
meta connections "$CONNS"
meta threads "$THREADS"
meta health_connections "$HEALTH_CONNS"
meta quiet_wait "$QUIET_WAIT"
meta quiet_pct "$QUIET_PCT"
meta duration "$DURATION"
meta warmup "$WARMUP"
meta date_filter "$DATE_QUERY"

# --- scenarios -------------------------------------------------------------------------------
# Every scenario gets a fresh server process (started before its warm-up), so its peak RSS
# (VmHWM at the end, and the largest VmRSS sampled) is its own.
scenario health "$CONNS" "$THREADS" get.lua "GET /system/health" BENCH_PATH=/system/health
scenario health_c "$HEALTH_CONNS" 1 get.lua "GET /system/health (flood baseline)" BENCH_PATH=/system/health
scenario hist_100 "$CONNS" "$THREADS" get.lua "history page 1, 100-call users ($N_PLAIN_TOKENS in turn)" \
  BENCH_PATH=/api/calls/history BENCH_TOKENS="$PLAIN_TOKENS"
scenario hist_20 "$CONNS" "$THREADS" get.lua "history page 1, 20-call user" \
  BENCH_PATH=/api/calls/history BENCH_TOKENS="$T20"
scenario hist_1k "$CONNS" "$THREADS" get.lua "history page 1, 1,000-call user" \
  BENCH_PATH=/api/calls/history BENCH_TOKENS="$T1K"
scenario hist_10k "$CONNS" "$THREADS" get.lua "history page 1, 10,000-call user" \
  BENCH_PATH=/api/calls/history BENCH_TOKENS="$T10K"
scenario hist_100k "$CONNS" "$THREADS" get.lua "history page 1, 100,000-call user" \
  BENCH_PATH=/api/calls/history BENCH_TOKENS="$T100K"
scenario hist_page1000 "$CONNS" "$THREADS" get.lua "history ?page=1000, 100,000-call user" \
  BENCH_PATH='/api/calls/history?page=1000' BENCH_TOKENS="$T100K"
scenario hist_cursor1000 "$CONNS" "$THREADS" get.lua "history page 1000 by ?cursor=, 100,000-call user" \
  BENCH_PATH="/api/calls/history?cursor=$CURSOR" BENCH_TOKENS="$T100K"
scenario hist_date "$CONNS" "$THREADS" get.lua "history page 1, 30-day date filter, 100,000-call user" \
  BENCH_PATH="/api/calls/history?$DATE_QUERY" BENCH_TOKENS="$T100K"
scenario hist_date365 "$CONNS" "$THREADS" get.lua "history page 1, 365-day date filter, 100,000-call user" \
  BENCH_PATH="/api/calls/history?$DATE365_QUERY" BENCH_TOKENS="$T100K"
if [[ $VOIP == available ]]; then
  scenario voip "$CONNS" "$THREADS" voip.lua "initiate + terminate (mock provider)" \
    BENCH_TOKENS="$VOIP_TOKENS" BENCH_PHONE="$VOIP_PHONE"
fi
scenario register "$CONNS" "$THREADS" register.lua "POST /api/auth/register" BENCH_PASSWORD="$PASSWORD"
scenario login_c1 1 1 login.lua "POST /api/auth/login, one connection" BENCH_PASSWORD="$PASSWORD"
scenario login "$CONNS" "$THREADS" login.lua "POST /api/auth/login" BENCH_PASSWORD="$PASSWORD"

# --- through PgBouncer (BENCH_POOLER=pgbouncer) ------------------------------------------------
# A private pgbouncer in transaction mode in front of the same database (its own directory,
# free port, foreground, stopped at the end): the server sends unnamed statements and migrates
# through the direct URL. The history and call scenarios run again through it, as <name>_pooled.
start_pgbouncer() {
  local dir=$RESULTS/pgbouncer port bin
  bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  mkdir -p "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf '"%s" ""\n' "$PG_USER" >"$dir/users.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
$DB = host=$PG_HOST port=$PG_PORT user=$PG_USER dbname=$DB
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = $POOLER_POOL_SIZE
max_client_conn = 1000
log_connections = 0
log_disconnections = 0
INI
  chmod -R a+rX "$dir"
  local as_user=()
  [[ $(id -u) == 0 ]] && as_user=(-u postgres)   # pgbouncer refuses to run as root
  "$bin" "${as_user[@]}" "$dir/pgbouncer.ini" >"$dir/pgbouncer.log" 2>&1 &
  PGBOUNCER_PID=$!
  local _
  for _ in $(seq 1 50); do
    kill -0 "$PGBOUNCER_PID" 2>/dev/null || die "pgbouncer exited at start (see $dir/pgbouncer.log)"
    if psql "postgres://$PG_USER@127.0.0.1:$port/$DB" -Atqc 'select 1' >/dev/null 2>&1; then
      SERVER_DB_URL="postgres://$PG_USER@127.0.0.1:$port/$DB"
      SERVER_POOLER_ENV=(DATABASE_POOLER=transaction "DATABASE_MIGRATION_URL=$DB_URL")
      meta pooler "$("$bin" --version | head -n1), pool_mode = transaction, default_pool_size = $POOLER_POOL_SIZE"
      return 0
    fi
    sleep 0.2
  done
  die "pgbouncer did not answer (see $dir/pgbouncer.log)"
}
stop_pgbouncer() {
  kill -TERM "$PGBOUNCER_PID" 2>/dev/null || true
  wait "$PGBOUNCER_PID" 2>/dev/null || true
  PGBOUNCER_PID=
  SERVER_DB_URL=$DB_URL
  SERVER_POOLER_ENV=()
}
if [[ $POOLER == pgbouncer ]]; then
  log "through PgBouncer: starting a private pgbouncer (transaction mode, $POOLER_POOL_SIZE server connections)"
  start_pgbouncer
  scenario hist_100_pooled "$CONNS" "$THREADS" get.lua "history page 1, 100-call users, through PgBouncer" \
    BENCH_PATH=/api/calls/history BENCH_TOKENS="$PLAIN_TOKENS"
  scenario hist_20_pooled "$CONNS" "$THREADS" get.lua "history page 1, 20-call user, through PgBouncer" \
    BENCH_PATH=/api/calls/history BENCH_TOKENS="$T20"
  scenario hist_100k_pooled "$CONNS" "$THREADS" get.lua "history page 1, 100,000-call user, through PgBouncer" \
    BENCH_PATH=/api/calls/history BENCH_TOKENS="$T100K"
  scenario hist_cursor1000_pooled "$CONNS" "$THREADS" get.lua "history page 1000 by ?cursor=, through PgBouncer" \
    BENCH_PATH="/api/calls/history?cursor=$CURSOR" BENCH_TOKENS="$T100K"
  scenario hist_date_pooled "$CONNS" "$THREADS" get.lua "history, 30-day date filter, through PgBouncer" \
    BENCH_PATH="/api/calls/history?$DATE_QUERY" BENCH_TOKENS="$T100K"
  if [[ $VOIP == available ]]; then
    scenario voip_pooled "$CONNS" "$THREADS" voip.lua "initiate + terminate, through PgBouncer" \
      BENCH_TOKENS="$VOIP_TOKENS" BENCH_PHONE="$VOIP_PHONE"
  fi
  if grep -qi 'prepared statement' "$RESULTS/server.log" "$RESULTS/pgbouncer/pgbouncer.log"; then
    meta pooler_errors "prepared-statement errors in the logs"
  fi
  stop_pgbouncer
fi

# Health latency while a login flood runs: the flood starts first and outlasts the probe.
if wanted flood; then
log "scenario flood: login flood ($CONNS connections) + health probe ($HEALTH_CONNS connections)"
quiet flood
start_server
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
rss_start "$RESULTS/flood.rss"
cpu_start flood
env BENCH_LUA_DIR="$LUA" BENCH_OUT="$RESULTS/flood_login.json" BENCH_PASSWORD="$PASSWORD" \
  wrk -c "$CONNS" -t "$THREADS" -d "$((WARMUP + DURATION + 2))s" --timeout 10s --latency \
  -s "$LUA/login.lua" "$BASE_URL" >"$RESULTS/flood_login.wrk.txt" &
FLOOD_PID=$!
sleep "$((WARMUP + 1))"
env BENCH_LUA_DIR="$LUA" BENCH_OUT="$RESULTS/flood_health.json" BENCH_PATH=/system/health \
  wrk -c "$HEALTH_CONNS" -t 1 -d "${DURATION}s" --timeout 10s --latency -s "$LUA/get.lua" \
  "$BASE_URL" >"$RESULTS/flood_health.wrk.txt"
wait "$FLOOD_PID"
FLOOD_PID=
cpu_stop
rss_stop
vm VmHWM >"$RESULTS/flood.hwm"
stop_server
for half in flood_login flood_health; do
  cp "$RESULTS/flood.rss" "$RESULTS/$half.rss"
  cp "$RESULTS/flood.hwm" "$RESULTS/$half.hwm"
  cp "$RESULTS/flood.cpu.json" "$RESULTS/$half.cpu.json"
  if [[ -f $RESULTS/flood.quiet ]]; then cp "$RESULTS/flood.quiet" "$RESULTS/$half.quiet"; fi
done
scenario_meta flood_login "$CONNS" "$THREADS" login.lua "login flood (with the health probe running)"
scenario_meta flood_health "$HEALTH_CONNS" 1 get.lua "GET /system/health during the login flood"
fi

# --- references ------------------------------------------------------------------------------
user_id() { psql_db -Atc "SELECT id FROM users WHERE email = '$1'"; }
pgbench_ref() { # name user_email offset script
  local name=$1 uid
  wanted "ref:$name" || return 0
  uid=$(user_id "$2")
  log "pgbench $name: $4 for $2, offset $3 ($CONNS clients, $THREADS threads, ${DURATION}s)"
  local args=(-n -M prepared -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -c "$CONNS" -j "$THREADS"
    -D uid="$uid" -D lim=21 -D off="$3" -D jti="jti:$(python3 -c 'import uuid; print(uuid.uuid4())')"
    -f "bench/sql/$4")
  quiet "pgbench_$name"
  if (( WARMUP > 0 )); then "$PGBENCH" "${args[@]}" -T "$WARMUP" "$DB" >/dev/null 2>&1; fi
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  cpu_start "pgbench_$name"
  "$PGBENCH" "${args[@]}" -T "$DURATION" -l --log-prefix="$RESULTS/pgbench_$name.log" "$DB" \
    >"$RESULTS/pgbench_$name.txt" 2>&1
  cpu_stop
  printf '%s\t%s\t%s\t%s\n' "$name" "$2" "$LOAD_BEFORE" "$4" >>"$RESULTS/pgbench.tsv"
}
pgbench_ref hist_20_ideal calls20@bench.test 0 history_ideal.sql
pgbench_ref hist_20 calls20@bench.test 0 history_page.sql
pgbench_ref hist_100k calls100k@bench.test 0 history_page.sql

if [[ -n $ONLY ]]; then
  log "BENCH_ONLY=\"$ONLY\": $REPORT left as it is; summary of ${RESULTS#"$ROOT"/}:"
  for file in "$RESULTS"/*.wrk.txt; do
    [[ -e $file ]] || continue
    printf '%-22s %12s req/s  p50 %-9s p99 %s\n' "$(basename "$file" .wrk.txt)" \
      "$(awk '/^Requests\/sec/ { print $2 }' "$file")" \
      "$(awk '$1 == "50%" { print $2 }' "$file")" "$(awk '$1 == "99%" { print $2 }' "$file")"
  done
  for file in "$RESULTS"/pgbench_*.txt; do
    [[ -e $file ]] || continue
    printf '%-22s %12s tps\n' "$(basename "$file" .txt)" \
      "$(awk '/^tps/ { print $3 }' "$file")"
  done
  exit 0
fi

if [[ -x $HASH_TOOL ]]; then
  log "single-hash time (bench/hash-time)"
  quiet hash_time
  cpu_start hash_time
  "$HASH_TOOL" 15 >"$RESULTS/hash_time.json"
  cpu_stop
fi

# EXPLAIN ANALYZE of the history statements, for the analysis of misses.
log "EXPLAIN ANALYZE of the history statements"
U20=$(user_id calls20@bench.test)
U100K=$(user_id calls100k@bench.test)
read -r CURSOR_MICROS CURSOR_ID <<<"$(python3 -c '
import base64, sys
raw = sys.argv[1]; raw += "=" * (-len(raw) % 4)
v, micros, cid, page = base64.urlsafe_b64decode(raw).decode().split("|")
print(micros, cid)' "$CURSOR")"
COLS='"calls"."id", "calls"."user_id", "calls"."phone_number", "calls"."country", "calls"."start_time", "calls"."duration", "calls"."status", "calls"."session_id", "calls"."sdp_offer", "calls"."failure_reason", "calls"."ended_at"'
ORDER='ORDER BY "calls"."start_time" DESC, "calls"."id" DESC LIMIT 21'
# Bulk insert of one user's calls in one statement (imports, data migrations): 10,000 and 20,000
# rows, each in a transaction that is rolled back, so the data set stays as seeded; the median of
# three. The counters are kept per statement, so 20,000 should cost about twice 10,000.
bulk_insert_ms() { # rows
  local uid runs=()
  uid=$(user_id voip1@bench.test)
  for _ in 1 2 3; do
    runs+=("$(psql_db -c '\timing on' -c 'BEGIN' \
      -c "INSERT INTO calls (user_id, phone_number, start_time, status)
          SELECT '$uid', '+4930901820', now() - g * interval '1 minute', 'completed'
          FROM generate_series(1, $1) AS g" \
      -c 'ROLLBACK' | awk '/^Time:/ { n++; if (n == 2) print $2 }')")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p
}
quiet bulk_insert
log "bulk insert of one user's calls in one statement: 10,000 and 20,000 rows"
meta bulk_10000_ms "$(bulk_insert_ms 10000)"
meta bulk_20000_ms "$(bulk_insert_ms 20000)"

explain() { # name sql
  { echo "-- $2"; psql_db -c "EXPLAIN (ANALYZE, BUFFERS) $2"; } >"$RESULTS/explain_$1.txt"
}
explain count_20 "SELECT total FROM user_call_counts WHERE user_id = '$U20' LIMIT 1"
explain page1_20 "SELECT $COLS FROM calls WHERE user_id = '$U20' $ORDER OFFSET 0"
explain count_100k "SELECT total FROM user_call_counts WHERE user_id = '$U100K' LIMIT 1"
explain page1_100k "SELECT $COLS FROM calls WHERE user_id = '$U100K' $ORDER OFFSET 0"
explain page1000_100k "SELECT $COLS FROM calls WHERE user_id = '$U100K' $ORDER OFFSET 19980"
CURSOR_TS="timestamptz 'epoch' + $CURSOR_MICROS * interval '1 microsecond'"
explain cursor1000_100k "SELECT $COLS FROM calls WHERE user_id = '$U100K' AND start_time <= $CURSOR_TS AND (start_time < $CURSOR_TS OR id < '$CURSOR_ID') $ORDER"
explain count_date_100k "SELECT (SELECT sum(total) FROM user_call_day_counts WHERE user_id = '$U100K' AND day BETWEEN calls_platform_call_day('$DATE_FROM') + 1 AND calls_platform_call_day('$DATE_TO') - 1), (SELECT count(*) FROM calls WHERE user_id = '$U100K' AND start_time >= '$DATE_FROM' AND start_time < timestamptz 'epoch' + (calls_platform_call_day('$DATE_FROM') + 1) * interval '1 day'), (SELECT count(*) FROM calls WHERE user_id = '$U100K' AND start_time >= timestamptz 'epoch' + calls_platform_call_day('$DATE_TO') * interval '1 day' AND start_time <= '$DATE_TO')"
explain page1_date_100k "SELECT $COLS FROM calls WHERE user_id = '$U100K' AND start_time >= '$DATE_FROM' AND start_time <= '$DATE_TO' $ORDER OFFSET 0"

# The large data set (issue 18): calls grown to LARGE_CALLS rows over LARGE_USERS users, then
# the 100-call users' page 1 again, compared with the same scenario on the small set (target).
if [[ ${BENCH_LARGE:-1} == 1 ]]; then
  LARGE_USERS=${BENCH_LARGE_USERS:-100000}
  LARGE_CALLS=${BENCH_LARGE_CALLS:-5000000}
  have_users=$(psql_db -Atc 'SELECT count(DISTINCT user_id) FROM calls')
  have_calls=$(psql_db -Atc 'SELECT count(*) FROM calls')
  extra_users=$((LARGE_USERS - have_users))
  extra_calls=$((LARGE_CALLS - have_calls))
  if (( extra_users > 0 && extra_calls > 0 )); then
    log "growing the data set to $LARGE_CALLS calls over $LARGE_USERS users (bench/seed_large.sql)"
    large_start=$(date +%s.%N)
    psql_db -v extra_users="$extra_users" -v calls_per_user="$((extra_calls / extra_users))" \
      -v remainder="$((extra_calls % extra_users))" -f bench/seed_large.sql >"$RESULTS/seed_large.txt"
    meta large_seed_seconds "$(python3 -c "print(round($(date +%s.%N) - $large_start, 1))")"
    meta large_users "$(psql_db -Atc 'SELECT count(DISTINCT user_id) FROM calls')"
    meta large_calls "$(psql_db -Atc 'SELECT count(*) FROM calls')"
    scenario hist_100_large "$CONNS" "$THREADS" get.lua \
      "history page 1, 100-call users, calls grown to $LARGE_CALLS rows" \
      BENCH_PATH=/api/calls/history BENCH_TOKENS="$PLAIN_TOKENS"
  fi
fi

log "writing $REPORT"
python3 bench/report.py "$RESULTS" "$REPORT"
log "done: $REPORT (raw results in ${RESULTS#"$ROOT"/})"
