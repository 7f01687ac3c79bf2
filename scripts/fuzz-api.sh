#!/usr/bin/env bash
# API fuzzing: schemathesis generates requests from openapi.yml (valid and invalid ones), sends
# them to a real calls-server and checks every answer against the spec. Exits non-zero on any
# failure or error; the server is always stopped.
#
# What runs: every operation of openapi.yml, every schemathesis check (`--checks all`), positive
# and negative data (`--mode all`), all four phases: examples (the spec's examples), coverage
# (boundary and invalid values of every schema, undeclared methods), fuzzing (random data) and
# stateful (sequences that feed one answer into the next request, along the `links` of
# openapi.yml and the ones schemathesis infers). No operation and no check is excluded.
#
# The server: a debug build (FUZZ_RELEASE=1 for a release one) on a free loopback port, a fresh
# SQLite database in a temporary directory, a random JWT secret, the mock voice provider, and
# limits raised so that fuzzing is not throttled (calls in progress, failed logins). A user is
# registered first; schemathesis signs in as that user.
#
# Settings (environment):
#   FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 25; `just fuzz-api` uses more)
#   FUZZ_SEED          schemathesis seed, to replay a run (default random; the run prints it)
#   FUZZ_REPORT_DIR    where the JUnit report goes (default target/fuzz-api, ignored by git)
#   FUZZ_RELEASE=1     fuzz a release build
#   FUZZ_WORKERS       concurrent schemathesis workers (default 1: with more, CPython 3.11.7's
#                      parser can fail in hypothesis' threads with "SystemError: AST constructor
#                      recursion depth mismatch", a bug of the interpreter, not of the server)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

max_examples="${FUZZ_MAX_EXAMPLES:-25}"
report_dir="${FUZZ_REPORT_DIR:-target/fuzz-api}"
workers="${FUZZ_WORKERS:-1}"
venv="$repo/.venv-tools"

step() { printf '\n==> %s\n' "$*"; }
# shellcheck source=lib/local-server.sh
source "$repo/scripts/lib/local-server.sh"

step "schemathesis in .venv-tools (scripts/fuzz-requirements.txt)"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r scripts/fuzz-requirements.txt; then
  echo "fuzz-api: cannot install scripts/fuzz-requirements.txt into .venv-tools" >&2
  exit 1
fi
"$venv/bin/schemathesis" --version

local_server_build "${FUZZ_RELEASE:-0}"

mkdir -p "$report_dir"
report_dir="$(cd "$report_dir" && pwd)"
local_server_workdir calls-fuzz

# [auth.throttle] has no environment variables: a config file raises the login limits, which
# fuzzed logins with wrong passwords would otherwise exhaust (429 for every later login).
cat >"$work/calls.toml" <<'TOML'
[auth.throttle]
account_max_failures = 1000000
address_max_failures = 1000000

[auth.password_reset]
email_max_requests = 1000000
address_max_requests = 1000000
TOML

local_server_start fuzz-api \
  VOIP_MAX_ACTIVE_CALLS_PER_USER=1000000 \
  VOIP_MAX_CALLS_PER_DAY=0 \
  SMTP_URL=smtp://127.0.0.1:9 \
  MAIL_FROM='Calls <no-reply@calls.example>' \
  PASSWORD_RESET_URL=https://calls.example/reset-password \
  CALLS_CONFIG="$work/calls.toml"

step "register the fuzzing user"
email=fuzz@example.com
password='Fuzz-Passw0rd!x9'
status="$(curl -sS -o "$work/register.json" -w '%{http_code}' -X POST "$base/api/auth/register" \
  -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}")"
if [ "$status" != 201 ]; then
  echo "fuzz-api: registration answered $status: $(cat "$work/register.json")" >&2
  exit 1
fi

# schemathesis configuration.
# - Authentication: schemathesis gets its bearer token from POST /api/auth/login as the user
#   registered above, rather than from a fixed `-H "Authorization: Bearer ..."`, because fuzzing
#   POST /api/auth/logout revokes the token it is sent with (as it must), after which a fixed
#   token would make every later request a 401. With a login flow schemathesis signs in again
#   on the next 401 and replays that request once.
# - With the mock provider, POST /api/voice/token and the (signed) Twilio webhooks answer 503
#   `voice_not_configured` by design, as openapi.yml documents. `not_a_server_error` fails every
#   5xx, documented or not, so 503 (and only 503) is accepted for exactly these four operations,
#   the way schemathesis prescribes for a 5xx by design (`schemathesis explain ST101`). A 500, or
#   a 503 from any other operation, still fails, and every other check runs on them unchanged.
# - Password resets are on, sending to a port nothing listens on (127.0.0.1:9): every request
#   is answered as with a real mail server (delivery fails in the background, counted), and
#   the reset limits are raised like the login limits.
# - Some operations validate more than JSON Schema can say (phone numbers valid for their
#   country, guessable passwords, server-issued cursors and reset tokens, date_from <= date_to,
#   IANA zones, integer literals); openapi.yml documents these rules. For exactly those operations
#   `positive_data_acceptance` also accepts a 400, and the custom check of
#   scripts/fuzz-hooks.py (`positive_data_refused_only_by_unexpressible_rules`, run by
#   `--checks all`) fails any such 400 whose message is not one of those rules.
cat >"$work/schemathesis.toml" <<TOML
[auth.dynamic.openapi.bearerAuth]
path = "/api/auth/login"
payload = { email = "$email", password = "$password" }
extract_selector = "/token"

[[operations]]
include-operation-id = ["issueVoiceToken", "twimlByGet", "twimlByPost", "twilioStatusCallback"]
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]

[[operations]]
include-operation-id = ["register", "createCall", "initiateCall", "updateCall", "callHistory", "confirmPasswordReset"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx", "400"]
TOML

seed_args=()
if [ -n "${FUZZ_SEED:-}" ]; then
  seed_args=(--seed "$FUZZ_SEED")
fi

step "schemathesis: all checks, all phases, positive and negative data, $max_examples examples per operation"
# From the temporary directory: schemathesis keeps a crash cache (.schemathesis/) in the
# current directory, which does not belong in the work tree.
(
  cd "$work"
  SCHEMATHESIS_HOOKS="$repo/scripts/fuzz-hooks.py" \
    "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" \
      run "$repo/openapi.yml" \
      --url "$base" \
      --checks all \
      --mode all \
      --phases examples,coverage,fuzzing,stateful \
      --max-examples "$max_examples" \
      --workers "$workers" \
      --request-timeout 30 \
      --report junit \
      --report-junit-path "$report_dir/junit.xml" \
      --no-color \
      "${seed_args[@]}"
)

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "fuzz-api: calls-server died during the run" >&2
  exit 1
fi
echo "fuzz-api: no failures (JUnit report: $report_dir/junit.xml)"
