#!/usr/bin/env bash
# Makes sure the local PostgreSQL answers at 127.0.0.1:5432, starting the cluster if needed.
set -euo pipefail
url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
answers() { pg_isready -q -d "$url" >/dev/null 2>&1 || psql "$url" -Atqc 'select 1' >/dev/null 2>&1; }
if answers; then echo "PostgreSQL is up"; exit 0; fi
echo "PostgreSQL is down: starting it"
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
fi
for _ in $(seq 1 30); do
  if answers; then echo "PostgreSQL is up"; exit 0; fi
  sleep 1
done
echo "PostgreSQL did not come up at $url" >&2
exit 1
