#!/usr/bin/env bash
# The whole suite, twice: on SQLite, then on a private PostgreSQL 15 server. A private Redis
# serves the tests that need a real one (TEST_REDIS_URL). Browser journeys (marked e2e) run in
# their own pytest run, without xdist. Extra arguments go to every pytest run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/bootstrap.sh" test

started=()
cleanup() {
    for service in "${started[@]}"; do "$ROOT/scripts/$service.sh" stop || true; done
}
trap cleanup EXIT

# Leave running what was running before; stop what this run started.
if ! "$ROOT/scripts/redis.sh" status; then started+=(redis); fi
TEST_REDIS_URL="$("$ROOT/scripts/redis.sh" start)"
if ! "$ROOT/scripts/postgres.sh" status; then started+=(postgres); fi
PG_URL="$("$ROOT/scripts/postgres.sh" start)"

export TEST_REDIS_URL
# The suite must not pick up a developer's own configuration.
export REDIS_URL="" SMTP_HOST="" S3_BUCKET="" DEBUG=""
export SCIDAY_VAR_DIR="$VAR/test"
mkdir -p "$SCIDAY_VAR_DIR"
export PYTHONDONTWRITEBYTECODE=1

workers="${PYTEST_WORKERS:-2}"
failed=()

# pytest [label] [args...] -> run pytest; exit code 5 (no test collected) is not a failure.
run_pytest() {
    local label="$1"
    shift
    say "pytest: $label"
    local rc=0
    (cd "$ROOT" && "$VENV/bin/pytest" -p no:cacheprovider "$@") || rc=$?
    if [[ "$rc" != 0 && "$rc" != 5 ]]; then failed+=("$label (exit $rc)"); fi
}

suite() {
    local db="$1"
    shift
    run_pytest "$db" -n "$workers" -m "not e2e" "$@"
    run_pytest "$db, browser journeys" -m e2e "$@"
}

unset DATABASE_URL
suite SQLite "$@"
export DATABASE_URL="$PG_URL"
suite "PostgreSQL 15" "$@"

if ((${#failed[@]})); then
    printf '\033[1;31mFailed:\033[0m %s\n' "${failed[@]}" >&2
    exit 1
fi
say "All test runs passed (SQLite and PostgreSQL 15)"
