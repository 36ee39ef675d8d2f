#!/bin/bash
# Entry point of the db service (docker-compose.yml), in front of the postgres
# image's own docker-entrypoint.sh. The databases and users are created once,
# on the first start with an empty volume (initdb.d/): refuse that first start
# while a password is still the placeholder of docker/.env.example, instead of
# freezing a published password into the volume.
set -euo pipefail

for name in POSTGRES_PASSWORD CKAN_DB_PASSWORD DATASTORE_READONLY_PASSWORD; do
    case ${!name:-} in
        "" | *change-me*)
            echo "[db] refusing to start: $name is empty or still the placeholder" \
                "of docker/.env.example; set it in docker/.env" >&2
            exit 78
            ;;
    esac
done

exec docker-entrypoint.sh "$@"
