#!/usr/bin/env bash
# Creates (if missing) the CKAN and DataStore databases and users of one CKAN
# configuration on the project's PostgreSQL, then brings the schema up to date
# (core and enabled plugins' migrations: harvest, activity...) and applies the
# DataStore permissions. Idempotent.
#
#   dev/ckan-db.sh CONFIG.ini
set -euo pipefail
_TAG=db
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

ini=${1:?usage: dev/ckan-db.sh CONFIG.ini}
[ -f "$ini" ] || die "no such configuration file: $ini"

# Database names and users come from the configuration itself.
read -r ckan_db ckan_user ckan_pass ds_db ds_write_user ds_read_user ds_read_pass < <(
    "$VENV_DIR/bin/python" - "$ini" <<'PY'
import configparser, sys
from urllib.parse import urlparse
cp = configparser.ConfigParser(interpolation=None, strict=False)
cp.read(sys.argv[1])
app = cp["app:main"]
main = urlparse(app["sqlalchemy.url"])
write = urlparse(app["ckan.datastore.write_url"])
read = urlparse(app["ckan.datastore.read_url"])
print(main.path[1:], main.username, main.password, write.path[1:],
      write.username, read.username, read.password)
PY
)
[ "$ds_write_user" = "$ckan_user" ] \
    || die "$ini: the DataStore write user must be the CKAN user ($ckan_user), as in CKAN's docs"

psql_admin() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"
}

ensure_role() {
    local role=$1 password=$2
    if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]; then
        say "creating PostgreSQL user $role"
        psql_admin -d postgres -c "CREATE ROLE \"$role\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$password'"
    fi
}

ensure_database() {
    local db=$1 owner=$2
    if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
        say "creating database $db"
        psql_admin -d postgres -c "CREATE DATABASE \"$db\" OWNER \"$owner\" ENCODING 'UTF8' TEMPLATE template0"
    fi
}

ensure_role "$ckan_user" "$ckan_pass"
ensure_role "$ds_read_user" "$ds_read_pass"
ensure_database "$ckan_db" "$ckan_user"
ensure_database "$ds_db" "$ckan_user"

say "migrating $ckan_db (CKAN core and plugins; log: $LOG_DIR/ckan-db.log)"
"$CKAN_BIN" -c "$ini" db init >"$LOG_DIR/ckan-db.log" 2>&1 || {
    show_log_tail "$LOG_DIR/ckan-db.log"
    die "ckan db init failed for $ini (log: $LOG_DIR/ckan-db.log)"
}
say "setting DataStore permissions on $ds_db"
"$CKAN_BIN" -c "$ini" datastore set-permissions 2>>"$LOG_DIR/ckan-db.log" \
    | psql_admin -d postgres >>"$LOG_DIR/ckan-db.log" 2>&1 || {
    show_log_tail "$LOG_DIR/ckan-db.log"
    die "ckan datastore set-permissions failed for $ini (log: $LOG_DIR/ckan-db.log)"
}
