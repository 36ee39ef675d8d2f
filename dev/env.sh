# shellcheck shell=bash
# Shared settings of the dev scripts. Sourced, never run. Every value can be
# overridden from the environment; the defaults keep every piece of state under
# one ignored folder ($DEV_DIR) and every service on 127.0.0.1.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export REPO_DIR
export DEV_DIR=${DEV_DIR:-$REPO_DIR/.dev}
export VENV_DIR=${VENV_DIR:-$DEV_DIR/venv}
export LOG_DIR=$DEV_DIR/logs
export RUN_DIR=$DEV_DIR/run

# Ports are not the services' defaults so that a PostgreSQL or Redis already
# running on the machine is left alone. test.ini and dev/demo.ini.in use the
# same numbers.
export PG_PORT=${PG_PORT:-54329}
export REDIS_PORT=${REDIS_PORT:-63799}
export SOLR_PORT=${SOLR_PORT:-8983}
export DEMO_PORT=${DEMO_PORT:-5000}

export PG_DATA=$DEV_DIR/pg/data
export PG_SOCKET_DIR=$DEV_DIR/pg/run

export CKAN_BIN=$VENV_DIR/bin/ckan

_TAG=${_TAG:-dev}
say() { printf '\033[1m[%s]\033[0m %s\n' "$_TAG" "$*"; }
warn() { printf '\033[33m[%s] %s\033[0m\n' "$_TAG" "$*" >&2; }
die() {
    printf '\033[31m[%s] ERROR: %s\033[0m\n' "$_TAG" "$*" >&2
    exit 1
}

# Print the tail of a log file after a failure, so the reader sees the cause.
show_log_tail() {
    local log=$1
    if [ -f "$log" ]; then
        printf '\n--- last lines of %s ---\n' "$log" >&2
        tail -n 30 "$log" >&2
        printf -- '--- end of %s ---\n' "$log" >&2
    fi
}

mkdir -p "$LOG_DIR" "$RUN_DIR"
