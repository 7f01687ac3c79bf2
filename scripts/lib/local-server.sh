# Sourced by the scripts that test a live calls-server (fuzz-api.sh, check-docs-page.sh): builds
# it, starts it on a free loopback port with a fresh SQLite database in a temporary directory,
# waits for /system/health, and stops it (SIGTERM, then SIGKILL after 10 s) when the script
# exits, printing the end of its log if the script failed.
#
# Use:  source scripts/lib/local-server.sh
#       local_server_build "$RELEASE"            # 1 for a release build; sets $binary
#       local_server_workdir calls-fuzz          # sets $work (removed at exit)
#       local_server_start NAME VAR=value ...    # extra environment; sets $base, $server_pid
# Requires `step` and `repo` from the caller.

binary=""
work=""
base=""
server_pid=""

local_server_build() {
  step "build calls-server"
  if [ "${1:-0}" = 1 ]; then
    cargo build --release -p calls-server
    binary="$repo/target/release/calls-server"
  else
    cargo build -p calls-server
    binary="$repo/target/debug/calls-server"
  fi
}

local_server_cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -n "$work" ] && [ -s "$work/server.log" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  [ -n "$work" ] && rm -rf "$work"
  exit "$status"
}

local_server_workdir() {
  work="$(mktemp -d -t "$1.XXXXXX")"
  trap local_server_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

local_server_start() {
  local name="$1"
  shift
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  base="http://127.0.0.1:$port"
  step "start calls-server on $base"
  env \
    SERVER_HOST=127.0.0.1 \
    SERVER_PORT="$port" \
    DATABASE_URL="sqlite://$work/calls.db" \
    JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')" \
    LOG_LEVEL=warn \
    LOG_FORMAT=text \
    VOIP_PROVIDER=mock \
    "$@" \
    "$binary" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$base/system/health" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$name: calls-server exited at start" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$name: calls-server did not answer /system/health within 30 s" >&2
  exit 1
}
