#!/usr/bin/env bash
# The documentation page renders offline: a real calls-server serves /docs/ (Swagger UI, its
# files compiled into the binary) and headless Chromium loads it with no network but the
# loopback, runs its scripts, fetches /openapi.yml and renders it. The rendered DOM must show the
# spec's title and its operations; a screenshot is kept for people to look at. Exits non-zero on
# failure; the server is always stopped.
#
# Installs Debian's `chromium` if it is missing (apt-get, as root).
#
# Settings (environment):
#   DOCS_CHECK_DIR     where the dumped DOM and the screenshot go (default target/docs-check)
#   DOCS_CHECK_RELEASE=1  check a release build (default: debug)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

out_dir="${DOCS_CHECK_DIR:-target/docs-check}"

step() { printf '\n==> %s\n' "$*"; }
# shellcheck source=lib/local-server.sh
source "$repo/scripts/lib/local-server.sh"

step "chromium"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "check-docs-page: chromium is missing; install it: apt-get install -y chromium" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null

local_server_build "${DOCS_CHECK_RELEASE:-0}"

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
local_server_workdir calls-docs
local_server_start check-docs-page

# Every host but the loopback resolves nowhere, so a page that fetched anything from the
# internet (a CDN script, a font, a remote spec) would not render: the check proves that the
# page works offline, from the vendored files alone.
offline=(--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
  --no-proxy-server --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --no-default-browser-check --metrics-recording-only)
chrome=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage
  --user-data-dir="$work/chromium" "${offline[@]}")

step "render $base/docs/ in headless Chromium"
"${chrome[@]}" --virtual-time-budget=10000 --dump-dom "$base/docs/" \
  >"$out_dir/docs.html" 2>"$work/chromium.log" || {
  echo "check-docs-page: chromium failed:" >&2
  tail -n 20 "$work/chromium.log" >&2
  exit 1
}
"${chrome[@]}" --virtual-time-budget=10000 --window-size=1280,2400 --hide-scrollbars \
  --screenshot="$out_dir/docs.png" "$base/docs/" >/dev/null 2>>"$work/chromium.log" || {
  echo "check-docs-page: chromium failed to take the screenshot:" >&2
  tail -n 20 "$work/chromium.log" >&2
  exit 1
}

# What only the rendered page contains (the served HTML is an empty shell that loads the UI):
# Swagger UI's info block with our title, and the operations of our spec.
failures=0
expect() {
  local what="$1" needle="$2"
  if grep -qF -- "$needle" "$out_dir/docs.html"; then
    echo "ok: $what"
  else
    echo "MISSING: $what ($needle)" >&2
    failures=$((failures + 1))
  fi
}
expect "Swagger UI rendered its info block" 'class="info"'
expect "the spec's title" 'calls-platform API'
expect "an operation block" 'opblock'
expect "POST /api/calls/initiate" '/api/calls/initiate'
expect "GET /api/calls/history" '/api/calls/history'
expect "POST /api/auth/register" '/api/auth/register'
expect "PUT /api/calls/{id}" '/api/calls/{id}'
if grep -qiE 'Failed to load API definition|Fetch error' "$out_dir/docs.html"; then
  echo "check-docs-page: Swagger UI reports an error loading the spec" >&2
  failures=$((failures + 1))
fi
if [ "$failures" -ne 0 ]; then
  echo "check-docs-page: the page did not render the spec; DOM in $out_dir/docs.html" >&2
  exit 1
fi
echo "check-docs-page: /docs/ renders the spec offline (DOM: $out_dir/docs.html, screenshot: $out_dir/docs.png)"
