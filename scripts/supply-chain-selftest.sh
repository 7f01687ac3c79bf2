#!/usr/bin/env bash
# Self-test of scripts/check-advisories.sh, offline, on temporary copies of the advisory
# snapshot (../shared/advisory-db itself is only read): a made-up advisory for a crate of
# Cargo.lock must fail the check, whether it is a vulnerability or an unmaintained notice; one
# whose patched versions include ours must not; and the check must read the newer of the
# snapshot and a fetched copy. Without this, a check that silently read no database, or the
# wrong one, would pass forever.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshot=${ADVISORY_DB_SNAPSHOT:-$PWD/../shared/advisory-db}
[ -d "$snapshot/crates" ] || { echo "self-test: no advisory snapshot at $snapshot" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A crate every build has, at the version Cargo.lock pins.
readonly crate=serde
version=$(awk -v name="name = \"$crate\"" '$0 == name { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || { echo "self-test: $crate is not in Cargo.lock" >&2; exit 1; }
readonly snapshot_date=2026-08-21 older=2026-08-20 newer=2026-08-22

# copy NAME: the snapshot's advisories in $work/NAME, stamped as of $snapshot_date.
copy() {
  mkdir "$work/$1"
  cp -R "$snapshot/crates" "$snapshot/rust" "$work/$1/"
  chmod -R u+w "$work/$1" # CI's copy of shared/ has no write bits
  echo "Self-test copy of the advisory snapshot at commit 0000000 ($snapshot_date)." >"$work/$1/SNAPSHOT.md"
}

# fetched NAME DATE: turns $work/NAME into a git checkout whose last commit is of DATE, as a
# database cargo-deny fetched would be.
fetched() {
  local dir=$work/$1
  git -C "$dir" init -q -b main
  git -C "$dir" add -A
  GIT_AUTHOR_DATE="${2}T12:00:00Z" GIT_COMMITTER_DATE="${2}T12:00:00Z" \
    git -C "$dir" -c user.name=self-test -c user.email=self-test@localhost commit -q -m "as of $2"
}

# advise NAME ID INFORMATIONAL PATCHED: a made-up advisory for $crate in $work/NAME
# (INFORMATIONAL "" for a vulnerability; PATCHED a TOML list of version requirements).
advise() {
  mkdir -p "$work/$1/crates/$crate"
  cat >"$work/$1/crates/$crate/$2.md" <<ADVISORY
\`\`\`toml
[advisory]
id = "$2"
package = "$crate"
date = "$snapshot_date"
url = "https://example.invalid/$2"
${3:+informational = \"$3\"}
categories = ["denial-of-service"]

[versions]
patched = $4
\`\`\`

# Made-up advisory of the supply-chain self-test

Never published; it exists only in a temporary copy of the database.
ADVISORY
}

passed=0
failed=0
# expect pass|fail WHAT SNAPSHOT FETCHED MUST_PRINT...: runs the check on those databases.
expect() {
  local want=$1 what=$2 snap=$3 fetch=$4 out status=0
  shift 4
  out=$(ADVISORY_DB_FETCH=0 ADVISORY_DB_SNAPSHOT="$work/$snap" ADVISORY_DB_FETCHED="$work/$fetch" \
    bash scripts/check-advisories.sh 2>&1) || status=$?
  local got=pass
  [ "$status" = 0 ] || got=fail
  local ok=1
  [ "$got" = "$want" ] || ok=0
  for text in "$@"; do
    grep -qF -- "$text" <<<"$out" || ok=0
  done
  if [ "$ok" = 1 ]; then
    passed=$((passed + 1))
    echo "ok: $what ($got)"
  else
    failed=$((failed + 1))
    echo "FAILED: $what: expected $want, got $got (exit $status), wanted to see: $*" >&2
    sed 's/^/    /' <<<"$out" >&2
  fi
}

copy clean
expect pass "the snapshot as it is" clean none "offline snapshot 0000000 of $snapshot_date"

copy vulnerable
advise vulnerable RUSTSEC-9999-0001 "" "[]"
expect fail "a vulnerability in $crate $version" vulnerable none RUSTSEC-9999-0001 "advisories FAILED"

copy unmaintained
advise unmaintained RUSTSEC-9999-0002 unmaintained "[]"
expect fail "$crate $version unmaintained" unmaintained none RUSTSEC-9999-0002 "advisories FAILED"

copy patched
advise patched RUSTSEC-9999-0003 "" "[\">= $version\"]"
expect pass "a vulnerability fixed in $crate $version" patched none "advisories ok"

copy fetched-newer
advise fetched-newer RUSTSEC-9999-0004 "" "[]"
fetched fetched-newer "$newer"
expect fail "a newer fetched database is used instead of the snapshot" clean fetched-newer \
  "fetched database" RUSTSEC-9999-0004

copy fetched-older
fetched fetched-older "$older"
expect fail "an older fetched database is not" vulnerable fetched-older \
  "offline snapshot 0000000" RUSTSEC-9999-0001

echo "supply-chain-selftest: $passed passed, $failed failed"
[ "$failed" = 0 ]
