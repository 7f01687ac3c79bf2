#!/usr/bin/env bash
# Supply-chain check with cargo-deny (deny.toml), every part of which fails the run: licenses,
# bans and sources, then advisories against the RustSec database, offline
# (scripts/check-advisories.sh: the snapshot in ../shared/advisory-db or a newer fetched copy).
# See docs/RELIABILITY.md, "Supply chain".
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: check-advisories.sh relies on where cargo-deny 0.20 keeps its database.
readonly deny_version=0.20.2
if [ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $deny_version" ]; then
  cargo install cargo-deny --locked --version "$deny_version"
fi

cargo fetch --locked --quiet
cargo deny --offline --log-level error check licenses bans sources
echo "cargo deny: licenses, bans, sources ok"

bash scripts/check-advisories.sh
