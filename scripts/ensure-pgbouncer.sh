#!/usr/bin/env bash
# PgBouncer for the tests that run the server through it (crates/*/tests/*pgbouncer*).
#
#   ensure-pgbouncer.sh --check     exit 0 when the pgbouncer binary is installed, 1 when not
#   ensure-pgbouncer.sh --install   install Debian's package when missing, then as below
#   ensure-pgbouncer.sh             stop the system pgbouncer service, if one runs
#
# The tests start private pgbouncer processes (their own configuration, free ports) and never use
# the system one. Debian's package starts a pgbouncer service on 127.0.0.1:6432 when installed,
# with an empty database list; it is not needed, so it is stopped (and disabled where systemd
# runs) rather than left listening on a port someone might expect to be free.
set -euo pipefail

binary() { if [ -x /usr/sbin/pgbouncer ]; then echo /usr/sbin/pgbouncer; else command -v pgbouncer; fi; }
installed() { binary >/dev/null 2>&1; }

case "${1:-}" in
  --check)
    installed
    exit $?
    ;;
  --install)
    if ! installed; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer
    fi
    ;;
esac

installed || { echo "pgbouncer is not installed (apt-get install pgbouncer)" >&2; exit 1; }
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now pgbouncer >/dev/null 2>&1 || true
elif [ -x /etc/init.d/pgbouncer ]; then
  /etc/init.d/pgbouncer stop >/dev/null 2>&1 || true
fi
echo "$("$(binary)" --version | head -n1) installed; the system service is stopped, the tests start their own"
