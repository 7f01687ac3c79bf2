#!/usr/bin/env bash
# Cross-checks the Twilio adapter against Twilio's official Python library (twilio 9.13), as
# issue 20 asks: Voice tokens, webhook signatures and TwiML. Installs the library from PyPI into
# a throw-away virtual environment (removed on exit), then runs the adapter's oracle tests
# (crates/adapters-voip/tests/twilio_oracle.rs, ignored in plain `cargo test`), which ask
# scripts/twilio_oracle.py. TWILIO_ORACLE_PYTHON may name a Python that already has the library.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TWILIO_ORACLE_PYTHON:-}" ]; then
  venv=$(mktemp -d)
  trap 'rm -rf "$venv"' EXIT
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'twilio==9.13.*'
  export TWILIO_ORACLE_PYTHON="$venv/bin/python"
fi
"$TWILIO_ORACLE_PYTHON" -c 'import twilio; assert twilio.__version__.startswith("9.13"), twilio.__version__'
cargo test --locked -p calls-adapters-voip --test twilio_oracle -- --ignored
