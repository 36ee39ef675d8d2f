#!/bin/bash
# ENTRYPOINT of the image (docker/Dockerfile), for every container: web,
# harvest gather and fetch consumers, jobs worker, harvest scheduler. It runs
# before the container's command, then hands over to it (exec "$@").
#
# 1. Refuses to start while a variable still holds a placeholder of
#    docker/.env.example ("change-me-..."): a portal must never run with a
#    published secret (nor create its sysadmin with one).
# 2. Writes into $CKAN_INI the settings that CKAN reads while it loads the
#    plugins, i.e. before ckanext-envvars has applied the environment:
#    ckan.plugins (which plugins to load) and the scheming schemas and presets
#    (read by ckanext-scheming in its own update_config). Every other setting
#    comes from the environment at runtime (CKAN's CKAN_* variables and
#    ckanext-envvars' CKAN__*/CKANEXT__*/CKAN___* ones). ckan.ini lives in the
#    container's own filesystem, so each container writes its own copy; the
#    base image's prerun.py does the same for ckan.plugins in the web
#    container, but the other containers never run prerun.py.
set -euo pipefail

ini=${CKAN_INI:-/srv/app/ckan.ini}

placeholders=()
for name in $(compgen -e); do
    case ${!name} in
        *change-me*) placeholders+=("$name") ;;
    esac
done
if [ ${#placeholders[@]} -gt 0 ]; then
    echo "[opendata_territoire] refusing to start: placeholder of" \
        "docker/.env.example still in ${placeholders[*]}; put real secrets" \
        "in docker/.env (see docker/README.md)" >&2
    exit 78
fi

settings=()
add_setting() {
    local variable=$1 key=$2
    if [ -n "${!variable:-}" ]; then
        settings+=("$key = ${!variable}")
    fi
}
add_setting CKAN__PLUGINS ckan.plugins
add_setting CKAN___SCHEMING__DATASET_SCHEMAS scheming.dataset_schemas
add_setting CKAN___SCHEMING__ORGANIZATION_SCHEMAS scheming.organization_schemas
add_setting CKAN___SCHEMING__PRESETS scheming.presets
if [ ${#settings[@]} -gt 0 ]; then
    # config-tool is one of the ckan commands that load no configuration.
    ckan config-tool "$ini" "${settings[@]}" >/dev/null
fi

exec "$@"
