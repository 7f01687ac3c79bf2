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

# Formatting check and clippy with warnings as errors, plus the core-dependency rule.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    bash scripts/check-core-deps.sh

# Format the code.
fmt:
    cargo fmt --all

# What CI runs.
ci:
    bash .ci/run
