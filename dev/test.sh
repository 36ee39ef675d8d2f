#!/usr/bin/env bash
# Sets everything up and runs the whole suite: pytest against the real
# PostgreSQL, Solr and Redis (test.ini), then ruff (lint and format), mypy and
# lint-imports (import-linter).
#
#   dev/test.sh                 the whole suite (what `make test` and CI run)
#   dev/test.sh ARGS...         pytest ARGS on the project's services
#                               (e.g. dev/test.sh tests/test_services.py -x)
#   dev/test.sh --faults ARGS   the fault tests only (tests marked `faults`)
#
# The whole suite runs two pytest sessions side by side:
#   - the main one, split across TEST_WORKERS pytest-xdist workers (default:
#     the number of cores + 1: much of a test's time is spent waiting for
#     PostgreSQL and Solr), each with its own databases (copies of the
#     migrated ckan_test and datastore_test), Redis database, CKAN site_id
#     and storage folder (tests/conftest.py);
#   - the fault tests (marked `faults`: they stop and kill PostgreSQL and
#     Redis), on a private PostgreSQL and Redis of their own, started here in
#     $DEV_DIR/faults on free ports and stopped at the end: the services of
#     the demo, or of another checkout, are never touched.
# ruff, mypy and lint-imports run meanwhile.
set -uo pipefail
_TAG=test
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

# test.ini names the default ports; CKAN's environment variables carry the
# ports actually in use, so that PG_PORT, REDIS_PORT and SOLR_PORT can move a
# checkout's services (two checkouts can then test side by side).
ckan_environment() { # PG_PORT REDIS_PORT
    export CKAN_SQLALCHEMY_URL="postgresql://ckan_default:pass@127.0.0.1:$1/ckan_test"
    export CKAN_DATASTORE_WRITE_URL="postgresql://ckan_default:pass@127.0.0.1:$1/datastore_test"
    export CKAN_DATASTORE_READ_URL="postgresql://datastore_default:pass@127.0.0.1:$1/datastore_test"
    export CKAN_SOLR_URL="http://127.0.0.1:$SOLR_PORT/solr/ckan"
    export CKAN_REDIS_URL="redis://127.0.0.1:$2/1"
}
ckan_environment "$PG_PORT" "$REDIS_PORT"

mode=all
if [ "${1:-}" = --faults ]; then
    mode=faults
    shift
elif [ $# -gt 0 ]; then
    mode=args
fi
WORKERS=${TEST_WORKERS:-$(($(nproc) + 1))}

started=$(date +%s)
bash "$REPO_DIR/dev/setup.sh" || exit 1
bash "$REPO_DIR/dev/services.sh" start || exit 1
bash "$REPO_DIR/dev/ckan-db.sh" "$REPO_DIR/test.ini" || exit 1
cd "$REPO_DIR" || exit 1

psql_admin() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"
}

# The databases of each xdist worker: copies of the migrated test databases
# (a copy takes a second; migrating one takes ten).
worker_databases() {
    local n db sql=
    for ((n = 0; n < WORKERS; n++)); do
        for db in ckan_test datastore_test; do
            sql+="DROP DATABASE IF EXISTS ${db}_gw$n;"
            sql+="CREATE DATABASE ${db}_gw$n TEMPLATE $db OWNER ckan_default;"
        done
        sql+="REVOKE CONNECT ON DATABASE datastore_test_gw$n FROM PUBLIC;"
        sql+="GRANT CONNECT ON DATABASE datastore_test_gw$n TO datastore_default;"
    done
    echo "$sql" | tr ';' '\n' | grep . | sed 's/$/;/' | psql_admin -d postgres >/dev/null
}

free_port() { "$VENV_DIR/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The fault tests' own PostgreSQL and Redis, on free ports, in $DEV_DIR/faults.
FAULTS_DIR=$DEV_DIR/faults
start_fault_services() {
    FAULTS_PG_PORT=$(free_port)
    FAULTS_REDIS_PORT=$(free_port)
    say "private PostgreSQL ($FAULTS_PG_PORT) and Redis ($FAULTS_REDIS_PORT) for the fault tests, in $FAULTS_DIR"
    (
        export DEV_DIR=$FAULTS_DIR VENV_DIR PG_PORT=$FAULTS_PG_PORT REDIS_PORT=$FAULTS_REDIS_PORT
        ckan_environment "$FAULTS_PG_PORT" "$FAULTS_REDIS_PORT"
        bash "$REPO_DIR/dev/services.sh" start postgres redis \
            && bash "$REPO_DIR/dev/ckan-db.sh" "$REPO_DIR/test.ini"
    ) >"$LOG_DIR/faults-services.log" 2>&1 || {
        show_log_tail "$LOG_DIR/faults-services.log"
        return 1
    }
}
stop_fault_services() {
    [ -n "${FAULTS_PG_PORT:-}" ] || return 0
    DEV_DIR=$FAULTS_DIR VENV_DIR=$VENV_DIR PG_PORT=$FAULTS_PG_PORT REDIS_PORT=$FAULTS_REDIS_PORT \
        bash "$REPO_DIR/dev/services.sh" stop postgres redis >>"$LOG_DIR/faults-services.log" 2>&1 || true
}
trap stop_fault_services EXIT

run_faults() { # pytest arguments...
    (
        export DEV_DIR=$FAULTS_DIR VENV_DIR PG_PORT=$FAULTS_PG_PORT REDIS_PORT=$FAULTS_REDIS_PORT
        export TERRITOIRE_PRIVATE_SERVICES=$FAULTS_DIR
        export CKAN_SITE_ID=territoire-test-faults
        export CKAN_STORAGE_PATH=$REPO_DIR/.dev/storage-test-faults
        ckan_environment "$FAULTS_PG_PORT" "$FAULTS_REDIS_PORT"
        "$VENV_DIR/bin/pytest" -m faults --durations=10 "$@"
    )
}

failed=()
lint() {
    local rc=0
    say "ruff check"
    "$VENV_DIR/bin/ruff" check . || rc=1
    say "ruff format --check"
    "$VENV_DIR/bin/ruff" format --check . || rc=1
    say "mypy"
    "$VENV_DIR/bin/mypy" || rc=1
    say "lint-imports (the feature folders' ladder, pyproject.toml)"
    "$VENV_DIR/bin/lint-imports" || rc=1
    return $rc
}

case $mode in
    args)
        say "environment ready in $(($(date +%s) - started)) s"
        if [ "${TEST_WORKERS:-1}" -gt 1 ]; then
            worker_databases || exit 1
            "$VENV_DIR/bin/pytest" -n "$WORKERS" --dist loadscope "$@"
        else
            "$VENV_DIR/bin/pytest" "$@"
        fi
        exit $?
        ;;
    faults)
        start_fault_services || exit 1
        say "environment ready in $(($(date +%s) - started)) s"
        run_faults "$@"
        exit $?
        ;;
esac

worker_databases || {
    failed+=("worker databases")
    WORKERS=1
}
start_fault_services || failed+=("private services of the fault tests")
say "environment ready in $(($(date +%s) - started)) s; pytest on $WORKERS workers, the fault tests beside them"

faults_log=$LOG_DIR/test-faults.log
run_faults >"$faults_log" 2>&1 &
faults_pid=$!
lint_log=$LOG_DIR/test-lint.log
lint >"$lint_log" 2>&1 &
lint_pid=$!

# Each test's time is in $LOG_DIR/junit.xml (to find where the time goes).
"$VENV_DIR/bin/pytest" -n "$WORKERS" --dist loadscope -m "not faults" --durations=20 \
    --junitxml="$LOG_DIR/junit.xml"
rc=$?
# pytest exits 5 when it collected no test: that is a failure here too.
[ $rc -eq 0 ] || failed+=("pytest (exit $rc)")

say "the fault tests, on their private PostgreSQL and Redis (log: $faults_log)"
wait $faults_pid
rc=$?
if [ $rc -eq 0 ]; then
    grep -E '^(=+ .*(passed|failed).* =+|[0-9.]+s (call|setup) )' "$faults_log" | tail -n 12
else
    cat "$faults_log"
    failed+=("fault tests (exit $rc)")
fi

wait $lint_pid
rc=$?
cat "$lint_log"
[ $rc -eq 0 ] || failed+=("ruff, mypy or lint-imports")

elapsed=$(($(date +%s) - started))
if [ ${#failed[@]} -gt 0 ]; then
    printf '\033[31m[test] FAILED after %d s: %s\033[0m\n' "$elapsed" "${failed[*]}" >&2
    exit 1
fi
say "all green in $elapsed s"
