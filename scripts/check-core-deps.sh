#!/usr/bin/env bash
# The domain crate must stay free of infrastructure: fail if calls-core depends, directly or
# transitively, on a database, HTTP, JWT or password-hashing crate.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(diesel|diesel_migrations|actix-web|actix-http|reqwest|jsonwebtoken|argon2|bcrypt|pq-sys|libsqlite3-sys|r2d2)$'
deps=$(cargo tree -p calls-core --edges normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
bad=$(printf '%s\n' "$deps" | grep -E "$forbidden" || true)
if [ -n "$bad" ]; then
  echo "calls-core must not depend on infrastructure crates, found:" >&2
  printf '  %s\n' $bad >&2
  exit 1
fi
echo "calls-core is free of infrastructure crates ($(printf '%s\n' "$deps" | wc -l) crates checked)"
