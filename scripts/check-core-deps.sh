#!/usr/bin/env bash
# The layers of the hexagon, checked on the dependency graph (normal edges, direct or transitive):
# * calls-core, the domain, depends on no database, HTTP, JWT or password-hashing crate;
# * calls-server-actix, the HTTP layer, depends on calls-core and on none of our adapters: no
#   calls-adapters-* or calls-storage-* crate, whatever it is called next, and none of the
#   infrastructure crates the adapters are built on (it may of course use actix).
set -euo pipefail
cd "$(dirname "$0")/.."

infrastructure='diesel|diesel_migrations|reqwest|jsonwebtoken|argon2|bcrypt|pq-sys|libsqlite3-sys|r2d2'
http='actix-web|actix-http'
our_adapters='calls-adapters-.+|calls-storage-.+'

# check <package> <forbidden names, an extended regex alternation> <what they are, for the message>
check() {
  local package=$1 forbidden="^($2)\$" what=$3 deps bad
  deps=$(cargo tree -p "$package" --edges normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
  bad=$(printf '%s\n' "$deps" | grep -E "$forbidden" || true)
  if [ -n "$bad" ]; then
    echo "$package must not depend on $what, found:" >&2
    for crate in $bad; do
      echo "  $crate, through:" >&2
      cargo tree -p "$package" --edges normal --invert "$crate" --depth 8 2>/dev/null | sed 's/^/    /' >&2 || true
    done
    return 1
  fi
  echo "$package is free of $what ($(printf '%s\n' "$deps" | wc -l) crates checked)"
}

status=0
check calls-core "$infrastructure|$http" "infrastructure crates" || status=1
check calls-server-actix "$our_adapters|$infrastructure" "adapter crates" || status=1
exit $status
