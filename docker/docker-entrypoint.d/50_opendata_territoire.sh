# shellcheck shell=bash
# Start-up step of ckanext-opendata-territoire, web container only.
#
# The base image's start_ckan.sh *sources* every /docker-entrypoint.d/*.sh
# after prerun.py and before uwsgi: this file therefore sets no shell option,
# defines a single function, and `exit`s (which stops the container, and
# `restart: unless-stopped` retries) only when the portal cannot work.
#
# The plugins and every setting come from the environment (docker-compose.yml;
# ckan.plugins and scheming.* were written into $CKAN_INI by entrypoint.sh).
#
# 1. `ckan db upgrade`: core and plugin migrations (activity, harvest...).
#    prerun.py already ran `ckan db init` (an alias of it in CKAN 2.11) but it
#    only reports failures; here a failure stops the start. A no-op when the
#    schema is up to date.
# 2. DataStore permissions, only when needed: if the read-only user can
#    already read the _table_metadata view that `ckan datastore
#    set-permissions` creates, they are in place (prerun.py normally applies
#    them, but it also swallows its errors). Otherwise the SQL is applied as
#    the DataStore write user, the owner of both databases (see
#    docker/postgres/initdb.d/): the \connect line is dropped since psql is
#    already connected to the DataStore database.
# 3. `ckan translation js`: the translations of the scripts (buttons and
#    dialogs written by CKAN's JavaScript modules), which `ckan run` builds
#    at each start and uwsgi never does: without them those strings stay in
#    English. The extension's catalogue is merged in (its corrections win).

opendata_territoire_init() {
    local ini=${CKAN_INI:-/srv/app/ckan.ini} sql

    echo "[opendata_territoire] ckan db upgrade (core and plugin migrations)"
    ckan -c "$ini" db upgrade || return 1
    echo "[opendata_territoire] ckan translation js (the scripts' translations)"
    ckan -c "$ini" translation js >/dev/null || return 1

    if [ -z "${CKAN_DATASTORE_WRITE_URL:-}" ] || [ -z "${CKAN_DATASTORE_READ_URL:-}" ]; then
        echo "[opendata_territoire] no DataStore URLs: permissions not checked"
        return 0
    fi
    if psql "$CKAN_DATASTORE_READ_URL" -X -q -t -A \
        -c 'SELECT 1 FROM "_table_metadata" LIMIT 1' >/dev/null 2>&1; then
        echo "[opendata_territoire] DataStore permissions already in place"
        return 0
    fi
    echo "[opendata_territoire] applying the DataStore permissions"
    sql=$(ckan -c "$ini" datastore set-permissions) || return 1
    printf '%s\n' "$sql" | sed '/^\\connect /d' \
        | psql "$CKAN_DATASTORE_WRITE_URL" -X -q -v ON_ERROR_STOP=1 >/dev/null \
        || return 1
    psql "$CKAN_DATASTORE_READ_URL" -X -q -t -A \
        -c 'SELECT 1 FROM "_table_metadata" LIMIT 1' >/dev/null || return 1
}

if ! opendata_territoire_init; then
    echo "[opendata_territoire] start-up step failed: CKAN is not started" >&2
    exit 1
fi
unset -f opendata_territoire_init
