#!/usr/bin/env bash
# Regenerates requirements.lock: resolves the dependencies declared in
# pyproject.toml (with the ckan and test extras) in a throw-away virtualenv and
# freezes every resolved version. Run it after changing a pin in pyproject.toml.
set -euo pipefail
_TAG=lock
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "resolving in a fresh virtualenv ($tmp)"
"${PYTHON:-python3}" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet "pip==26.3"
"$tmp/venv/bin/pip" install --quiet "$REPO_DIR[ckan,test,serve]"
{
    echo "# Every resolved dependency, frozen by dev/lock.sh (make lock)."
    echo "# Used as a pip constraint file by dev/setup.sh and docker/Dockerfile."
    "$tmp/venv/bin/pip" freeze --all --exclude ckanext-opendata-territoire \
        | grep -v -E '^(pip|setuptools|wheel)=='
} >"$REPO_DIR/requirements.lock"
say "wrote requirements.lock ($(grep -c '==' "$REPO_DIR/requirements.lock") pins)"
