#!/usr/bin/env bash
# `cargo deny check advisories` against the RustSec database without needing github.com, which
# these machines cannot reach. The database is the newer of two:
#   - the offline snapshot, ../shared/advisory-db (its SNAPSHOT.md names its commit and date);
#   - a fetched copy, where cargo-deny keeps the one it clones ($CARGO_HOME/advisory-dbs/
#     advisory-db-<hash>); the script first tries to fetch it, which fails at once without
#     access and refreshes it on a machine that has it.
# The chosen one is copied into a temporary git repository at `<tmp>/advisory-db-<hash>`, the
# folder cargo-deny 0.20 opens for the default database under a `db-path`, and cargo-deny runs
# `--offline` with a copy of deny.toml that points `db-path` at `<tmp>`. The source, its date
# and the snapshot's date are printed every time. Any vulnerability, unsound, unmaintained (not
# listed in deny.toml) or yanked crate fails; so does a missing or unreadable database.
#
# Environment (the self-test, scripts/supply-chain-selftest.sh, sets them):
#   ADVISORY_DB_SNAPSHOT  the snapshot folder (default ../shared/advisory-db)
#   ADVISORY_DB_FETCHED   the fetched checkout (default cargo-deny's own)
#   ADVISORY_DB_FETCH=0   do not try to fetch
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo-deny's folder name for https://github.com/RustSec/advisory-db (the URL's XxHash64 with
# its seed, in cargo-deny 0.20); a wrong name fails the check, it never passes it.
readonly db_dir=advisory-db-3157b0e258782691
readonly stale_days=90
cargo_home=${CARGO_HOME:-$HOME/.cargo}
snapshot=${ADVISORY_DB_SNAPSHOT:-$PWD/../shared/advisory-db}
fetched=${ADVISORY_DB_FETCHED:-$cargo_home/advisory-dbs/$db_dir}

fail() {
  echo "advisories: $*" >&2
  exit 1
}
days_since() { echo $((($(date -u +%s) - $(date -u -d "$1" +%s)) / 86400)); }

# Everything cargo-deny reads offline: every crate of the lock file, for every target, and their
# crates.io index entries, which say which versions are yanked. Both come from crates.io.
cargo fetch --locked --quiet
if ! cargo deny --log-level error fetch index; then
  echo "WARNING: advisories: crates.io index not refreshed; yanked versions are checked against the local index cache" >&2
fi

snapshot_date=""
snapshot_commit=""
if [ -d "$snapshot/crates" ]; then
  # SNAPSHOT.md says "... at commit <sha> (YYYY-MM-DD) ...", maybe across a line break.
  stamp=$(tr -s ' \n' '  ' <"$snapshot/SNAPSHOT.md" |
    grep -oE 'commit [0-9a-f]{7,40} \([0-9]{4}-[0-9]{2}-[0-9]{2}\)' | head -n1) ||
    fail "$snapshot/SNAPSHOT.md does not name the snapshot as 'commit <sha> (YYYY-MM-DD)'"
  snapshot_commit=$(echo "$stamp" | cut -d' ' -f2)
  snapshot_date=$(echo "$stamp" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}')
  echo "advisories: offline snapshot $snapshot_commit of $snapshot_date ($(days_since "$snapshot_date") days old)"
else
  echo "advisories: no offline snapshot at $snapshot"
fi

if [ "${ADVISORY_DB_FETCH:-1}" != 0 ]; then
  # Bounded, for a network that drops packets instead of refusing them.
  if timeout 300 cargo deny --log-level error fetch db >/dev/null 2>&1; then
    echo "advisories: RustSec database fetched"
  else
    echo "advisories: RustSec database not fetched (unreachable from here, or the fetch failed)"
  fi
fi

source_dir=""
source_name=""
source_date=""
if [ -d "$fetched/crates" ] && fetched_date=$(git -C "$fetched" log -1 --format=%cs 2>/dev/null); then
  if [ -z "$snapshot_date" ] || [[ ! "$fetched_date" < "$snapshot_date" ]]; then
    source_dir=$fetched
    source_name="fetched database $(git -C "$fetched" log -1 --format=%h)"
    source_date=$fetched_date
  fi
fi
if [ -z "$source_dir" ]; then
  [ -n "$snapshot_date" ] || fail "no advisory database: neither a snapshot at $snapshot nor a fetched one at $fetched"
  source_dir=$snapshot
  source_name="offline snapshot $snapshot_commit"
  source_date=$snapshot_date
fi
age=$(days_since "$source_date")
echo "advisories: checking against the $source_name of $source_date ($age days old)"
if [ "$age" -gt "$stale_days" ]; then
  echo "WARNING: advisories: the database is older than $stale_days days; refresh the snapshot (docs/RELIABILITY.md, Supply chain)" >&2
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir "$root/$db_dir"
cp -R "$source_dir/." "$root/$db_dir/"
# CI's copy of shared/ has no write bits; the temporary copy must be removable.
chmod -R u+w "$root/$db_dir"
rm -rf "$root/$db_dir/.git"
git_quiet() { git -C "$root/$db_dir" -c user.name=supply-chain -c user.email=supply-chain@localhost "$@" >/dev/null; }
git_quiet init -q -b main
git_quiet add -A
GIT_AUTHOR_DATE="${source_date}T00:00:00Z" GIT_COMMITTER_DATE="${source_date}T00:00:00Z" \
  git_quiet commit -q -m "$source_name ($source_date)"

grep -q '^db-path' deny.toml && fail "deny.toml sets db-path; this script chooses the database"
sed "/^\[advisories\]/a db-path = \"$root\"" deny.toml >"$root/deny.toml"
grep -q "^db-path = \"$root\"" "$root/deny.toml" || fail "deny.toml has no [advisories] table"

cargo deny --offline --config "$root/deny.toml" check advisories
echo "cargo deny: advisories ok ($source_name of $source_date)"
