# Accolade task runner. `just` lists the recipes.
# Builds share a target directory outside the clone so CI and developers reuse it.
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", "/work/target")
pg_url := env_var_or_default("ACCOLADE_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")

# List the recipes.
default:
    @just --list

# Run the server on http://127.0.0.1:8080 with SQLite (add `--demo` for the demo school).
run *ARGS:
    cargo run --release -- serve {{ARGS}}

# Load the demo school and print how to sign in.
demo:
    cargo run --release -- demo

# The README test command: the whole suite on SQLite.
test:
    cargo test --workspace

# The whole suite again against the PostgreSQL on 127.0.0.1:5432 (one database per test).
test-pg:
    ACCOLADE_TEST_PG_URL={{pg_url}} cargo test --workspace

# Kotlin, Swift and Python bindings of accolade-ffi, each running the mobile scenario against a
# real server; then `cargo check` of accolade-ffi for Android and iOS (see mobile/bindings-tests/run.sh).
bindings-test:
    bash mobile/bindings-tests/run.sh

# The phone apps' logic layers (Android core-logic with kotlinc, iOS AccoladeKit with swift test)
# against a real server, over the generated bindings (see mobile/apps-test.sh, mobile/README.md).
apps-test:
    bash mobile/apps-test.sh

# Exactly what CI runs.
ci:
    bash .ci/run

# Format the code.
fmt:
    cargo fmt --all

# Lints as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# All benchmarks.
bench: bench-auth bench-claims bench-ws

# Logins/s vs raw argon2 hashes/s, and GET p99 while 50 clients flood the login endpoint.
bench-auth *ARGS:
    cargo run --release -p accolade-bench --bin bench-auth -- {{ARGS}}

# 1,000 students claim one rotating QR code at once (SQLite, then PostgreSQL): time, p50/p99, exactly-once; 30-student class burst.
bench-claims *ARGS:
    cargo run --release -p accolade-bench --bin bench-claims -- --pg-url {{pg_url}} {{ARGS}}

# Server memory per idle WebSocket at 10,000; award delivery p50/p99 to 1,000 and 10,000 subscribers; cross-node p99 on PostgreSQL.
bench-ws *ARGS:
    cargo run --release -p accolade-bench --bin bench-ws -- --pg-url {{pg_url}} {{ARGS}}

# Regenerate sea-orm entities from a freshly migrated PostgreSQL database (never edit them by hand).
entities:
    psql "{{pg_url}}" -c 'DROP DATABASE IF EXISTS accolade_codegen' -c 'CREATE DATABASE accolade_codegen'
    cargo run -p accolade-migration -- -u "{{replace(pg_url, '/test', '/accolade_codegen')}}" up
    sea-orm-cli generate entity -u "{{replace(pg_url, '/test', '/accolade_codegen')}}" -o crates/accolade-db/src/entities --with-serde none --date-time-crate chrono --ignore-tables seaql_migrations
    psql "{{pg_url}}" -c 'DROP DATABASE accolade_codegen'
