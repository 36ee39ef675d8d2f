#!/usr/bin/env bash
# Sets everything up and serves the demo portal (the CCMV territory) on
# http://127.0.0.1:$DEMO_PORT, in French, with a sysadmin whose credentials are
# printed. Background workers (CKAN jobs, harvest gather and fetch consumers,
# the harvest scheduler) run while the portal runs, each started again when it
# dies (dev/supervise.sh; `make services-status` shows them); Ctrl-C stops the
# portal and the workers, the services stay up (dev/services.sh stop stops
# them).
#
#   dev/demo.sh            set up and serve
#   dev/demo.sh --no-serve set up only (used by the benchmarks)
set -euo pipefail
_TAG=demo
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

serve=1
[ "${1:-}" = --no-serve ] && serve=0

DEMO_INI=$DEV_DIR/demo.ini
SECRETS=$DEV_DIR/demo-secrets
ADMIN_PASSWORD_FILE=$DEV_DIR/demo-admin-password
ADMIN_USER=admin

started=$(date +%s)
SETUP_UDATA=0 bash "$REPO_DIR/dev/setup.sh"
bash "$REPO_DIR/dev/services.sh" start

random_secret() { "$VENV_DIR/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))'; }

write_config() {
    umask 077
    if [ ! -f "$SECRETS" ]; then
        printf 'SECRET_KEY=%s\nJWT_SECRET=%s\n' "$(random_secret)" "$(random_secret)" >"$SECRETS"
    fi
    # shellcheck disable=SC1090
    source "$SECRETS"
    sed -e "s|@SECRET_KEY@|$SECRET_KEY|" -e "s|@JWT_SECRET@|$JWT_SECRET|" \
        -e "s|@PG_PORT@|$PG_PORT|g" -e "s|@REDIS_PORT@|$REDIS_PORT|g" \
        -e "s|@SOLR_PORT@|$SOLR_PORT|g" -e "s|@DEMO_PORT@|$DEMO_PORT|g" \
        -e "s|@DEV_DIR@|$DEV_DIR|g" \
        "$REPO_DIR/dev/demo.ini.in" >"$DEMO_INI.tmp"
    mv "$DEMO_INI.tmp" "$DEMO_INI"
    mkdir -p "$DEV_DIR/storage-demo"
    umask 022
}

ensure_sysadmin() {
    if [ ! -f "$ADMIN_PASSWORD_FILE" ]; then
        (umask 077 && random_secret >"$ADMIN_PASSWORD_FILE")
    fi
    local password
    password=$(cat "$ADMIN_PASSWORD_FILE")
    if ! "$CKAN_BIN" -c "$DEMO_INI" user show "$ADMIN_USER" 2>/dev/null | grep -q "name=$ADMIN_USER"; then
        say "creating the sysadmin '$ADMIN_USER'"
        "$CKAN_BIN" -c "$DEMO_INI" user add "$ADMIN_USER" email=admin@territoire.invalid \
            password="$password" fullname="Administrateur des données" >>"$LOG_DIR/demo-setup.log" 2>&1 \
            || { show_log_tail "$LOG_DIR/demo-setup.log"; die "could not create the sysadmin (log: $LOG_DIR/demo-setup.log)"; }
    fi
    "$CKAN_BIN" -c "$DEMO_INI" sysadmin add "$ADMIN_USER" >>"$LOG_DIR/demo-setup.log" 2>&1 \
        || { show_log_tail "$LOG_DIR/demo-setup.log"; die "could not make '$ADMIN_USER' a sysadmin (log: $LOG_DIR/demo-setup.log)"; }
}

ensure_territory() {
    # Idempotent: a second run changes nothing. Everything goes to the set-up
    # log; the last line the command prints is its summary, shown here.
    local out=$RUN_DIR/territoire-init.out
    say "creating or updating the CCMV territory: EPCI 243801024 and its six communes (log: $LOG_DIR/demo-setup.log)"
    if ! "$CKAN_BIN" -c "$DEMO_INI" territoire init --epci 243801024 >"$out" 2>>"$LOG_DIR/demo-setup.log"; then
        cat "$out" >>"$LOG_DIR/demo-setup.log"
        show_log_tail "$LOG_DIR/demo-setup.log"
        die "ckan territoire init failed (log: $LOG_DIR/demo-setup.log)"
    fi
    cat "$out" >>"$LOG_DIR/demo-setup.log"
    say "$(tail -n 1 "$out")"
}

ensure_procurement() {
    # The CCMV's procurement data (DECP) from the small national file the
    # package ships (decp/samples/, made by the project's DECP generator):
    # one "Marchés publics" dataset per body of the territory. Idempotent: a
    # second run finds every contract unchanged and writes nothing.
    local sample=$REPO_DIR/ckanext/opendata_territoire/decp/samples/decp-ccmv-demo.json
    local out=$RUN_DIR/decp-import.out
    say "importing the CCMV's procurement data from $sample (log: $LOG_DIR/demo-setup.log)"
    if ! "$CKAN_BIN" -c "$DEMO_INI" territoire decp import "$sample" >"$out" 2>>"$LOG_DIR/demo-setup.log"; then
        cat "$out" >>"$LOG_DIR/demo-setup.log"
        show_log_tail "$LOG_DIR/demo-setup.log"
        die "ckan territoire decp import failed (log: $LOG_DIR/demo-setup.log)"
    fi
    cat "$out" >>"$LOG_DIR/demo-setup.log"
    say "$(grep -m 1 -E '^(Lus|Read)' "$out" || tail -n 1 "$out")"
}

ensure_observatory() {
    # The EPCI's register of local firms, shipped in the package (made from
    # the DECP sample's firms, whose SIRETs SIRENE does not know), published
    # as a dataset; the observatory (/observatory) is then filled from the
    # DataStore and that register, without asking the SIRENE service.
    local out=$RUN_DIR/observatory-seed.out
    if ! "$CKAN_BIN" -c "$DEMO_INI" territoire observatory seed-demo --epci 243801024 >"$out" 2>>"$LOG_DIR/demo-setup.log"; then
        cat "$out" >>"$LOG_DIR/demo-setup.log"
        show_log_tail "$LOG_DIR/demo-setup.log"
        die "ckan territoire observatory seed-demo failed (log: $LOG_DIR/demo-setup.log)"
    fi
    say "$(tail -n 1 "$out")"
}

ensure_peers() {
    # The observatory's national comparison: a small national tabular file
    # made for the demo (the CCMV's contracts of the DECP sample, made-up
    # contracts for every other EPCI of France), the peers' figures
    # refreshed from it; no internet needed.
    local out=$RUN_DIR/peers-seed.out
    if ! "$CKAN_BIN" -c "$DEMO_INI" territoire peers seed-demo >"$out" 2>>"$LOG_DIR/demo-setup.log"; then
        cat "$out" >>"$LOG_DIR/demo-setup.log"
        show_log_tail "$LOG_DIR/demo-setup.log"
        die "ckan territoire peers seed-demo failed (log: $LOG_DIR/demo-setup.log)"
    fi
    say "$(tail -n 1 "$out")"
}

ensure_forecast() {
    # A small forecast of planned purchases (the EPCI and three communes,
    # several works), published as "Achats prévus" datasets; shown with the
    # renewals in the contracts to come. Idempotent.
    local out=$RUN_DIR/forecast-seed.out
    if ! "$CKAN_BIN" -c "$DEMO_INI" territoire future seed-demo --epci 243801024 >"$out" 2>>"$LOG_DIR/demo-setup.log"; then
        cat "$out" >>"$LOG_DIR/demo-setup.log"
        show_log_tail "$LOG_DIR/demo-setup.log"
        die "ckan territoire future seed-demo failed (log: $LOG_DIR/demo-setup.log)"
    fi
    say "$(tail -n 1 "$out")"
}

ensure_deliberations() {
    # A commune's deliberations with the mistakes a secretary makes, validated
    # against the SCDL schema at once (the shipped snapshot of the national
    # schemas when schema.data.gouv.fr cannot be reached): its page shows the
    # French report saying how to fix each error. Idempotent.
    local out=$RUN_DIR/deliberations-seed.out
    if ! "$CKAN_BIN" -c "$DEMO_INI" territoire schemas seed-demo >"$out" 2>>"$LOG_DIR/demo-setup.log"; then
        cat "$out" >>"$LOG_DIR/demo-setup.log"
        show_log_tail "$LOG_DIR/demo-setup.log"
        die "ckan territoire schemas seed-demo failed (log: $LOG_DIR/demo-setup.log)"
    fi
    say "$(tail -n 1 "$out")"
}

ensure_demo_usage() {
    # Made-up usage, a reuse and a question so that the publisher's view
    # (/organization/<name>/usage) has something to show; idempotent.
    local out=$RUN_DIR/usage-seed-demo.out
    if ! "$CKAN_BIN" -c "$DEMO_INI" territoire usage seed-demo --epci 243801024 >"$out" 2>>"$LOG_DIR/demo-setup.log"; then
        cat "$out" >>"$LOG_DIR/demo-setup.log"
        show_log_tail "$LOG_DIR/demo-setup.log"
        die "ckan territoire usage seed-demo failed (log: $LOG_DIR/demo-setup.log)"
    fi
    cat "$out" >>"$LOG_DIR/demo-setup.log"
    say "$(tail -n 1 "$out")"
}

say "writing $DEMO_INI"
write_config
bash "$REPO_DIR/dev/ckan-db.sh" "$DEMO_INI"
ensure_sysadmin
ensure_territory
ensure_procurement
ensure_observatory
ensure_peers
ensure_forecast
ensure_deliberations
ensure_demo_usage
say "demo ready in $(($(date +%s) - started)) s"

[ $serve -eq 1 ] || exit 0

if curl -s -o /dev/null "http://127.0.0.1:$DEMO_PORT/"; then
    die "port $DEMO_PORT is already in use: stop what listens there or set DEMO_PORT"
fi

worker_pids=()
# Each worker runs under dev/supervise.sh, which starts it again when it dies
# (as docker/'s restart policy does); `make services-status` shows them.
start_worker() {
    local name=$1
    shift
    bash "$REPO_DIR/dev/supervise.sh" "$name" "$LOG_DIR/$name.log" -- "$@" &
    worker_pids+=($!)
    say "started $name, started again if it dies (log: $LOG_DIR/$name.log)"
}
stop_workers() {
    [ ${#worker_pids[@]} -gt 0 ] && kill "${worker_pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop_workers EXIT INT TERM

start_worker jobs-worker "$CKAN_BIN" -c "$DEMO_INI" jobs worker
start_worker harvest-gather "$CKAN_BIN" -c "$DEMO_INI" harvester gather-consumer
start_worker harvest-fetch "$CKAN_BIN" -c "$DEMO_INI" harvester fetch-consumer
# `ckan harvester run` starts pending jobs and marks finished ones: it must run
# periodically (cron in production, see docker/).
start_worker harvest-schedule bash -c \
    "while sleep 60; do '$CKAN_BIN' -c '$DEMO_INI' harvester run || true; done"

cat <<MSG

  Portail de démonstration : http://127.0.0.1:$DEMO_PORT
  Administrateur           : $ADMIN_USER
  Mot de passe             : $(cat "$ADMIN_PASSWORD_FILE")
  Journaux                 : $LOG_DIR (portail : $LOG_DIR/demo-web.log)

  Ctrl-C arrête le portail ; les services restent démarrés
  (dev/services.sh stop pour les arrêter).

MSG
"$CKAN_BIN" -c "$DEMO_INI" run --host 127.0.0.1 --port "$DEMO_PORT" --disable-reloader --threaded 2>&1 \
    | tee -a "$LOG_DIR/demo-web.log"
