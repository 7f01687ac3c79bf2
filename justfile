# Operator and developer tasks. `just` is optional: every task is a plain command you can copy.
# Install it with `pip install rust-just`.

set shell := ["bash", "-euo", "pipefail", "-c"]

pg_admin := env_var_or_default("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

# List the tasks.
default:
    @just --list

# Run the server (embedded SQLite unless DATABASE_URL / POSTGRES_HOST say otherwise).
run:
    cargo run --release

# Apply pending migrations to the configured database and exit.
migrate:
    cargo run --release -- migrate

# Every test; PostgreSQL tests are skipped with a warning if no server answers.
test:
    cargo test --workspace

# Every test, with PostgreSQL required (starts the local cluster if it is down).
test-postgres:
    bash scripts/ensure-postgres.sh
    REQUIRE_POSTGRES=1 TEST_DATABASE_URL={{pg_admin}} cargo test --workspace

# Formatting check and clippy with warnings as errors, plus the dependency rules (core, HTTP).
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    bash scripts/check-core-deps.sh

# Format the code.
fmt:
    cargo fmt --all

# The Twilio adapter against Twilio's official Python library (installs twilio 9.13 into a
# throw-away virtual environment): Voice tokens, webhook signatures, TwiML.
twilio-oracle:
    bash scripts/twilio-oracle.sh

# Static check of the deployment files (Dockerfile, compose, .env.example, production.toml,
# systemd unit); no Docker engine needed.
check-deploy:
    python3 scripts/check-deploy-files.py
    python3 scripts/check-deploy-files.py --self-test

# Supply chain: licenses, bans, sources, advisories (offline RustSec snapshot or a newer fetched
# copy), then the advisories check's self-test (installs cargo-deny 0.20.2 if missing).
deny:
    bash scripts/supply-chain.sh
    bash scripts/supply-chain-selftest.sh

# Fuzz the live server with schemathesis against openapi.yml (FUZZ_MAX_EXAMPLES, default 200).
fuzz-api:
    FUZZ_MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-200} bash scripts/fuzz-api.sh

# Render /docs/ in headless Chromium and check that the spec shows.
docs-check:
    bash scripts/check-docs-page.sh

# Database outage on a private PostgreSQL cluster: 503 within ~2 s, recovery, no lost write.
test-outage:
    cargo test -p calls-server --test outage -- --ignored --nocapture

# Through PgBouncer in transaction mode (installs Debian's pgbouncer if missing): the storage
# contract suite, migrations refused through the pooler, a concurrent journey on two instances.
test-pgbouncer:
    bash scripts/ensure-pgbouncer.sh --install
    cargo test -p calls-adapters-postgres --test contract_pgbouncer -- --ignored
    cargo test -p calls-server --test pgbouncer -- --ignored --nocapture

# Graceful shutdown under load.
test-shutdown:
    cargo test -p calls-server --test shutdown -- --nocapture

# SIGTERM under keep-alive load: drains (Connection: close, idle connections closed), exits at once.
test-draining:
    cargo test -p calls-server --test draining -- --nocapture

# Two instances on one PostgreSQL behind Debian's nginx running deploy/nginx/calls-platform.conf:
# HTTPS, forged X-Forwarded-For, shared login limits, rolling restart under load.
test-nginx:
    bash scripts/ensure-nginx.sh
    bash scripts/ensure-postgres.sh
    REQUIRE_POSTGRES=1 cargo test -p calls-server --test nginx -- --ignored --nocapture

# Bounded soak on PostgreSQL (SOAK_CLIENTS, SOAK_SECONDS; default 200 clients for 60 s).
soak:
    bash scripts/soak.sh

# The benchmark suite (release build, PostgreSQL, wrk, pgbench); writes docs/BENCHMARKS.md.
bench:
    bash bench/run.sh

# What CI runs.
ci:
    bash .ci/run
