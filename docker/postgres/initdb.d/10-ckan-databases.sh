#!/bin/bash
# Run once by the postgres image's entrypoint, on an empty data volume only
# (/docker-entrypoint-initdb.d/): creates the CKAN and DataStore databases and
# their users from the environment of the db service (docker-compose.yml):
#   CKAN_DB_USER / CKAN_DB_PASSWORD   owner of both databases (CKAN's
#                                     sqlalchemy.url and DataStore write URL)
#   CKAN_DB, DATASTORE_DB             the two databases
#   DATASTORE_READONLY_USER / DATASTORE_READONLY_PASSWORD
#                                     the DataStore read-only user; its grants
#                                     are set by the ckan container
#                                     (`ckan datastore set-permissions`)
# Values are passed as psql variables (:"name" identifiers, :'name' literals),
# so no quoting of a password can break or inject SQL.
# Changing these variables later does not alter an existing volume: use
# ALTER ROLE ... PASSWORD (see docker/README.md).
# Only `set -e`: the postgres entry point sources (rather than runs) the
# scripts that lost their executable bit, and it does not expect `set -u`.
set -e
: "${CKAN_DB_USER:?}" "${CKAN_DB_PASSWORD:?}" "${CKAN_DB:?}" "${DATASTORE_DB:?}"
: "${DATASTORE_READONLY_USER:?}" "${DATASTORE_READONLY_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 -X -q \
    --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
    -v ckan_user="$CKAN_DB_USER" -v ckan_password="$CKAN_DB_PASSWORD" \
    -v ckan_db="$CKAN_DB" -v datastore_db="$DATASTORE_DB" \
    -v readonly_user="$DATASTORE_READONLY_USER" \
    -v readonly_password="$DATASTORE_READONLY_PASSWORD" <<'EOSQL'
CREATE ROLE :"ckan_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
    PASSWORD :'ckan_password';
CREATE ROLE :"readonly_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
    PASSWORD :'readonly_password';
CREATE DATABASE :"ckan_db" OWNER :"ckan_user" ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE :"datastore_db" OWNER :"ckan_user" ENCODING 'UTF8' TEMPLATE template0;
EOSQL
