#!/usr/bin/env bash
# Installs Debian's nginx for crates/calls-server/tests/nginx.rs when it is missing, without
# letting the package start its own system service (the test runs nginx itself, on its own
# ports, prefix and pid file, and stops it): a policy-rc.d that refuses service starts is in
# place during the install only, unless the machine already has one.
set -euo pipefail
if [ -x /usr/sbin/nginx ]; then
  exit 0
fi
policy=/usr/sbin/policy-rc.d
ours=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 0755 "$policy"
  ours=1
fi
trap '[ "$ours" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx
/usr/sbin/nginx -v
