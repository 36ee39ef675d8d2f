#!/usr/bin/env bash
# Sets everything up and runs the whole suite: pytest against the real
# PostgreSQL, Solr and Redis (test.ini), then ruff (lint and format) and mypy.
# Extra arguments go to pytest (e.g. dev/test.sh tests/test_services.py -x).
set -uo pipefail
_TAG=test
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

# test.ini names the default ports; CKAN's environment variables carry the
# ports actually in use, so that PG_PORT, REDIS_PORT and SOLR_PORT can move a
# checkout's services (two checkouts can then test side by side).
export CKAN_SQLALCHEMY_URL="postgresql://ckan_default:pass@127.0.0.1:$PG_PORT/ckan_test"
export CKAN_DATASTORE_WRITE_URL="postgresql://ckan_default:pass@127.0.0.1:$PG_PORT/datastore_test"
export CKAN_DATASTORE_READ_URL="postgresql://datastore_default:pass@127.0.0.1:$PG_PORT/datastore_test"
export CKAN_SOLR_URL="http://127.0.0.1:$SOLR_PORT/solr/ckan"
export CKAN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/1"

started=$(date +%s)
bash "$REPO_DIR/dev/setup.sh" || exit 1
bash "$REPO_DIR/dev/services.sh" start || exit 1
bash "$REPO_DIR/dev/ckan-db.sh" "$REPO_DIR/test.ini" || exit 1
say "environment ready in $(($(date +%s) - started)) s"

cd "$REPO_DIR" || exit 1
failed=()

say "pytest"
"$VENV_DIR/bin/pytest" --ckan-ini=test.ini --durations=30 "$@"
rc=$?
# pytest exits 5 when it collected no test: that is a failure here too.
[ $rc -eq 0 ] || failed+=("pytest (exit $rc)")

say "ruff check"
"$VENV_DIR/bin/ruff" check . || failed+=("ruff check")
say "ruff format --check"
"$VENV_DIR/bin/ruff" format --check . || failed+=("ruff format")
say "mypy"
"$VENV_DIR/bin/mypy" || failed+=("mypy")

elapsed=$(($(date +%s) - started))
if [ ${#failed[@]} -gt 0 ]; then
    printf '\033[31m[test] FAILED after %d s: %s\033[0m\n' "$elapsed" "${failed[*]}" >&2
    exit 1
fi
say "all green in $elapsed s"
