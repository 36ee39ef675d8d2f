#!/usr/bin/env bash
# Installs what the project needs on a Debian machine, idempotently:
#   1. the Debian packages (only those missing; needs root for that step),
#   2. the Python virtualenv in .dev/venv with the extension and its pinned
#      dependencies (requirements.lock is used as a constraint file, so a fresh
#      install resolves to exactly the same versions),
#   3. the npm packages of package.json (the territory reference data, and
#      axe-core for the browser tests) in .dev/node, exactly as
#      package-lock.json pins them;
#   4. docker/compose-check (Go), which checks docker/docker-compose.yml;
#   5. a side virtualenv in .dev/udata-venv with data.gouv.fr's own code
#      (udata from PyPI and mongomock, requirements-udata.lock), which the
#      tests of tests/datagouv/real/ run; installed meanwhile steps 2 to 4.
# A second run only checks and returns in a few seconds.
set -euo pipefail
_TAG=setup
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

PYTHON=${PYTHON:-python3}
PIP_VERSION=26.3
DEBIAN_PACKAGES=(
    postgresql postgresql-contrib libpq-dev
    redis-server
    openjdk-17-jdk-headless maven
    python3-venv python3-dev gcc libmagic1
    curl ca-certificates
    chromium
    nginx
)
# Node.js and npm only when the machine has no npm of its own.
command -v npm >/dev/null 2>&1 || DEBIAN_PACKAGES+=(nodejs npm)

install_debian_packages() {
    local missing=() pkg
    for pkg in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "Debian packages: all present"
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}"
    fi
    say "installing Debian packages: ${missing[*]} (log: $LOG_DIR/apt.log)"
    {
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    } >"$LOG_DIR/apt.log" 2>&1 || {
        show_log_tail "$LOG_DIR/apt.log"
        die "apt-get failed (log: $LOG_DIR/apt.log)"
    }
}

python_stamp() {
    cat "$REPO_DIR/pyproject.toml" "$REPO_DIR/setup.py" "$REPO_DIR/requirements.lock" \
        | sha256sum | cut -d' ' -f1
}

ckan_version() {
    "$VENV_DIR/bin/python" -c 'import ckan; print("CKAN", ckan.__version__)' 2>/dev/null || echo "CKAN not installed"
}

install_python() {
    if [ ! -x "$VENV_DIR/bin/python" ] || ! "$VENV_DIR/bin/python" -c 'import sys' 2>/dev/null; then
        say "creating the Python virtualenv in $VENV_DIR"
        rm -rf "$VENV_DIR"
        "$PYTHON" -m venv "$VENV_DIR" || die "could not create a virtualenv with $PYTHON"
    fi
    local stamp_file=$VENV_DIR/.installed-stamp
    if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$(python_stamp)" ]; then
        say "Python packages: up to date ($(ckan_version))"
        return
    fi
    say "installing CKAN 2.11, its extensions and the test tools (log: $LOG_DIR/pip.log)"
    {
        "$VENV_DIR/bin/python" -m pip install --quiet "pip==$PIP_VERSION"
        "$VENV_DIR/bin/python" -m pip install --quiet --constraint "$REPO_DIR/requirements.lock" \
            --editable "$REPO_DIR[ckan,test,serve]"
    } >"$LOG_DIR/pip.log" 2>&1 || {
        show_log_tail "$LOG_DIR/pip.log"
        die "pip install failed (log: $LOG_DIR/pip.log)"
    }
    python_stamp >"$stamp_file"
    say "Python packages installed ($(ckan_version))"
}

# The territory reference data (ckanext.territoire.reference_dir defaults to
# its data/ folder there).
TERRITORY_DATA=node_modules/@etalab/decoupage-administratif/data

install_node_packages() {
    local dir=$DEV_DIR/node stamp
    command -v npm >/dev/null 2>&1 \
        || die "npm is missing: run this script as root (it installs the Debian packages nodejs npm) or install Node.js"
    stamp=$(cat "$REPO_DIR/package.json" "$REPO_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
    if [ -f "$dir/.installed-stamp" ] && [ "$(cat "$dir/.installed-stamp")" = "$stamp" ] \
        && [ -f "$dir/$TERRITORY_DATA/epci.json" ] && [ -f "$dir/$TERRITORY_DATA/communes.json" ]; then
        say "npm packages: up to date"
        return
    fi
    say "installing the npm packages of package.json (log: $LOG_DIR/npm.log)"
    mkdir -p "$dir"
    cp "$REPO_DIR/package.json" "$REPO_DIR/package-lock.json" "$dir/"
    # The development tools too (axe-core for the browser tests); the Docker
    # image installs the runtime data only (--omit=dev).
    (cd "$dir" && npm ci --no-audit --no-fund) >"$LOG_DIR/npm.log" 2>&1 || {
        show_log_tail "$LOG_DIR/npm.log"
        die "npm ci failed (log: $LOG_DIR/npm.log)"
    }
    [ -f "$dir/$TERRITORY_DATA/epci.json" ] \
        || die "npm ci did not install the territory reference data ($dir/$TERRITORY_DATA; log: $LOG_DIR/npm.log)"
    echo "$stamp" >"$dir/.installed-stamp"
    say "npm packages installed (territory reference data in $dir/$TERRITORY_DATA)"
}

# docker/compose-check: the loader of `docker compose` (compose-go, from the
# Go module proxy) checking docker/docker-compose.yml without a Docker engine
# (tests/test_docker.py).
build_compose_check() {
    local src=$REPO_DIR/docker/compose-check bin=$DEV_DIR/bin/compose-check stamp
    command -v go >/dev/null 2>&1 \
        || die "go is missing: it builds docker/compose-check (Go 1.24 or later, https://go.dev/dl/)"
    stamp=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -d' ' -f1)
    if [ -x "$bin" ] && [ "$(cat "$bin.stamp" 2>/dev/null)" = "$stamp" ]; then
        say "compose-check: up to date"
        return
    fi
    say "building docker/compose-check with Go (log: $LOG_DIR/go.log)"
    mkdir -p "$DEV_DIR/bin"
    (cd "$src" && go build -o "$bin" .) >"$LOG_DIR/go.log" 2>&1 || {
        show_log_tail "$LOG_DIR/go.log"
        die "go build of docker/compose-check failed (log: $LOG_DIR/go.log)"
    }
    echo "$stamp" >"$bin.stamp"
}

# data.gouv.fr's own code (udata) in a virtualenv of its own: its pins
# (Flask 3, rdflib 7...) are not CKAN's. tests/datagouv/real/ runs it.
UDATA_VENV=$DEV_DIR/udata-venv

install_udata() {
    local stamp
    stamp=$(sha256sum "$REPO_DIR/requirements-udata.lock" | cut -d' ' -f1)
    if [ -x "$UDATA_VENV/bin/python" ] && [ "$(cat "$UDATA_VENV/.installed-stamp" 2>/dev/null)" = "$stamp" ]; then
        say "udata (data.gouv.fr's code, for the tests): up to date"
        return
    fi
    say "installing udata, data.gouv.fr's code, in $UDATA_VENV for the tests (log: $LOG_DIR/pip-udata.log)"
    {
        rm -rf "$UDATA_VENV"
        "$PYTHON" -m venv "$UDATA_VENV"
        "$UDATA_VENV/bin/python" -m pip install --quiet "pip==$PIP_VERSION"
        "$UDATA_VENV/bin/python" -m pip install --quiet --no-deps \
            --requirement "$REPO_DIR/requirements-udata.lock"
    } >"$LOG_DIR/pip-udata.log" 2>&1 || {
        show_log_tail "$LOG_DIR/pip-udata.log"
        die "pip install of udata failed (log: $LOG_DIR/pip-udata.log)"
    }
    echo "$stamp" >"$UDATA_VENV/.installed-stamp"
    say "udata installed in $UDATA_VENV"
}

install_debian_packages
# SETUP_UDATA=0 (make demo) leaves it out: only the tests run it.
udata_install=
if [ "${SETUP_UDATA:-1}" = 1 ]; then
    install_udata &
    udata_install=$!
fi
install_python
install_node_packages
build_compose_check
if [ -n "$udata_install" ]; then
    wait "$udata_install" || die "the udata virtualenv could not be installed (log: $LOG_DIR/pip-udata.log)"
fi
