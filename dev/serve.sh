#!/usr/bin/env bash
# Serves the demo portal the way production does: CKAN under uwsgi (several
# workers) behind nginx, which serves the static files and keeps anonymous
# pages for the time CKAN allows; the jobs worker, the harvest gather and
# fetch consumers and the harvest schedule, all under supervisor. Sessions
# are CKAN's signed cookies: any web worker reads them.
#
#   dev/serve.sh            set up (as `make demo` does), start, check, return
#   dev/serve.sh check      check that every kind of worker answers
#   dev/serve.sh status     supervisor's view of the processes
#   dev/serve.sh stop       stop them (the services stay up; the SolrCloud
#                           of the scale-out topology stops too)
#
# Settings (environment): SERVE_PORT (nginx, default 5000), SERVE_PROCESSES
# (uwsgi workers of an instance, default twice the cores),
# SERVE_WEB_INSTANCES (uwsgi instances behind nginx, default 1),
# SERVE_FETCH_CONSUMERS (default 2), SERVE_CACHE_SECONDS (how long nginx may
# keep an anonymous page, CKAN's ckan.cache_expires; default 60, 0 for none).
# SERVE_PRIVATE_ADDRESSES (hosts or networks the portal may fetch from
# although not public, ckanext.territoire.private_addresses_allowed; empty
# by default; bench/failover.py harvests a file served on 127.0.0.1).
# The uwsgi settings are deploy/uwsgi.ini, shared with the Docker image.
#
# The scale-out topology (`make cloud`): SERVE_TOPOLOGY=cloud runs CKAN on
# SolrCloud (dev/solr/cloud.py: ZooKeeper and two Solr nodes, the collection
# in 2 shards of 2 replicas) through an nginx proxy of the nodes on
# 127.0.0.1:SERVE_SOLR_PROXY_PORT (default 8984), with two web instances
# unless SERVE_WEB_INSTANCES says otherwise; the demo's datasets are indexed
# into the collection at start.
set -euo pipefail
_TAG=serve
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

SERVE_PORT=${SERVE_PORT:-5000}
SERVE_TOPOLOGY=${SERVE_TOPOLOGY:-single}
case "$SERVE_TOPOLOGY" in
    single) SERVE_WEB_INSTANCES=${SERVE_WEB_INSTANCES:-1} ;;
    cloud) SERVE_WEB_INSTANCES=${SERVE_WEB_INSTANCES:-2} ;;
    *) die "SERVE_TOPOLOGY is single or cloud, not '$SERVE_TOPOLOGY'" ;;
esac
SERVE_SOLR_PROXY_PORT=${SERVE_SOLR_PROXY_PORT:-8984}
SERVE_PROCESSES=${SERVE_PROCESSES:-$(($(nproc) * 2))}
SERVE_FETCH_CONSUMERS=${SERVE_FETCH_CONSUMERS:-2}
SERVE_CACHE_SECONDS=${SERVE_CACHE_SECONDS:-60}
SERVE_DIR=$RUN_DIR/serve
SERVE_INI=$DEV_DIR/serve.ini
SUPERVISORCTL=("$VENV_DIR/bin/supervisorctl" -c "$SERVE_DIR/supervisord.conf")

# nginx's upstream servers: the uwsgi instances' sockets, the Solr nodes.
web_servers() {
    local i
    for ((i = 0; i < SERVE_WEB_INSTANCES; i++)); do
        printf 'server unix:%s/uwsgi-%s.sock max_fails=1 fail_timeout=5s; ' "$SERVE_DIR" "$i"
    done
}
solr_servers() {
    local port
    for port in ${CLOUD_SOLR_PORTS:-8985 8986}; do
        printf 'server 127.0.0.1:%s max_fails=1 fail_timeout=5s; ' "$port"
    done
}

running() { [ -S "$SERVE_DIR/supervisor.sock" ] && "${SUPERVISORCTL[@]}" pid >/dev/null 2>&1; }

render() {
    local template=$1 output=$2 user_line=""
    # nginx's workers run as the user who owns the files they serve.
    [ "$(id -u)" = 0 ] && user_line="user root;"
    sed -e "s|@SERVE_DIR@|$SERVE_DIR|g" -e "s|@LOG_DIR@|$LOG_DIR|g" \
        -e "s|@LISTEN@|127.0.0.1:$SERVE_PORT|g" -e "s|@USER@|$user_line|g" \
        -e "s|@CKAN_PUBLIC@|$CKAN_PUBLIC|g" -e "s|@STORAGE@|$STORAGE|g" \
        -e "s|@VENV_DIR@|$VENV_DIR|g" -e "s|@REPO_DIR@|$REPO_DIR|g" \
        -e "s|@CKAN_BIN@|$CKAN_BIN|g" -e "s|@INI@|$SERVE_INI|g" \
        -e "s|@PROCESSES@|$SERVE_PROCESSES|g" \
        -e "s|@FETCH_CONSUMERS@|$SERVE_FETCH_CONSUMERS|g" \
        -e "s|@WEB_INSTANCES@|$SERVE_WEB_INSTANCES|g" -e "s|@WEB_SERVERS@|$(web_servers)|g" \
        -e "s|@SOLR_SERVERS@|$(solr_servers)|g" -e "s|@SOLR_LISTEN@|127.0.0.1:$SERVE_SOLR_PROXY_PORT|g" \
        -e "s|@CACHE_ZONE@|$([ "$SERVE_CACHE_SECONDS" -gt 0 ] && echo ckan || echo off)|g" \
        "$template" >"$output.tmp"
    mv "$output.tmp" "$output"
}

check() {
    "$VENV_DIR/bin/python" "$REPO_DIR/dev/serve_check.py" --url "http://127.0.0.1:$SERVE_PORT" \
        --ini "$SERVE_INI" --fetch-consumers "$SERVE_FETCH_CONSUMERS"
}

case "${1:-start}" in
    stop)
        if running; then
            say "stopping supervisor and its processes"
            "${SUPERVISORCTL[@]}" shutdown >/dev/null
            for _ in $(seq 1 60); do running || break; sleep 0.5; done
        else
            say "not running"
        fi
        if [ -f "$SERVE_DIR/nginx-solr.conf" ]; then
            "$VENV_DIR/bin/python" "$REPO_DIR/dev/solr/cloud.py" stop
            rm -f "$SERVE_DIR/nginx-solr.conf"
        fi
        exit 0
        ;;
    status)
        running || die "not running (dev/serve.sh starts it)"
        "${SUPERVISORCTL[@]}" status
        exit $?
        ;;
    check)
        check
        exit $?
        ;;
    configtest)
        # The generated nginx and supervisor configurations, checked by nginx
        # and by supervisor's own parser (tests/test_dev_scripts.py).
        CKAN_PUBLIC=$("$VENV_DIR/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "public"))')
        STORAGE=$DEV_DIR/storage-serve-configtest
        mkdir -p "$SERVE_DIR"/nginx/{body,proxy,fastcgi,uwsgi,scgi,cache}
        render "$REPO_DIR/deploy/nginx.conf.in" "$SERVE_DIR/nginx.conf"
        render "$REPO_DIR/deploy/supervisord.conf.in" "$SERVE_DIR/supervisord.conf"
        if [ "$SERVE_TOPOLOGY" = cloud ]; then
            render "$REPO_DIR/deploy/nginx-solr.conf.in" "$SERVE_DIR/nginx-solr.conf"
        else
            rm -f "$SERVE_DIR/nginx-solr.conf"
        fi
        /usr/sbin/nginx -t -c "$SERVE_DIR/nginx.conf" || exit 1
        "$VENV_DIR/bin/python" - "$SERVE_DIR/supervisord.conf" <<'PY' || exit 1
import sys
from supervisor.options import ServerOptions

options = ServerOptions()
options.configfile = sys.argv[1]
options.process_config(do_usage=False)
print("supervisor: " + ", ".join(sorted(g.name for g in options.process_group_configs)))
PY
        exit 0
        ;;
    start) ;;
    *) die "usage: dev/serve.sh [start|check|status|stop|configtest]" ;;
esac

started=$(date +%s)
running && die "already running: dev/serve.sh stop first"
# The demo's data, services and configuration, with its site URL on nginx's
# port (make demo's development server is not started).
DEMO_PORT=$SERVE_PORT bash "$REPO_DIR/dev/demo.sh" --no-serve
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "nginx is missing: dev/setup.sh installs it"
[ -x "$VENV_DIR/bin/uwsgi" ] || die "uwsgi is missing: dev/setup.sh installs it"

say "configuration $SERVE_INI (the demo's, anonymous pages cacheable ${SERVE_CACHE_SECONDS} s)"
cp "$DEV_DIR/demo.ini" "$SERVE_INI.tmp"
if [ "$SERVE_CACHE_SECONDS" -gt 0 ]; then
    "$CKAN_BIN" config-tool "$SERVE_INI.tmp" "ckan.cache_enabled = true" \
        "ckan.cache_expires = $SERVE_CACHE_SECONDS" >/dev/null
fi
if [ -n "${SERVE_PRIVATE_ADDRESSES:-}" ]; then
    "$CKAN_BIN" config-tool "$SERVE_INI.tmp" \
        "ckanext.territoire.private_addresses_allowed = $SERVE_PRIVATE_ADDRESSES" >/dev/null
fi
if [ "$SERVE_TOPOLOGY" = cloud ]; then
    say "SolrCloud: ZooKeeper, two Solr nodes, the collection in 2 shards x 2 replicas"
    "$VENV_DIR/bin/python" "$REPO_DIR/dev/solr/cloud.py" start || die "SolrCloud did not start (dev/solr/cloud.py status; logs: $LOG_DIR/solr-cloud-*.log)"
    "$CKAN_BIN" config-tool "$SERVE_INI.tmp" \
        "solr_url = http://127.0.0.1:$SERVE_SOLR_PROXY_PORT/solr/ckan" >/dev/null
fi
mv "$SERVE_INI.tmp" "$SERVE_INI"

CKAN_PUBLIC=$("$VENV_DIR/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "public"))')
STORAGE=$(sed -n 's/^ckan.storage_path *= *//p' "$SERVE_INI")
# A new start may change what is cacheable: nginx's cache starts empty.
rm -rf "$SERVE_DIR/nginx/cache"
mkdir -p "$SERVE_DIR"/nginx/{body,proxy,fastcgi,uwsgi,scgi,cache}
render "$REPO_DIR/deploy/nginx.conf.in" "$SERVE_DIR/nginx.conf"
render "$REPO_DIR/deploy/supervisord.conf.in" "$SERVE_DIR/supervisord.conf"
if [ "$SERVE_TOPOLOGY" = cloud ]; then
    render "$REPO_DIR/deploy/nginx-solr.conf.in" "$SERVE_DIR/nginx-solr.conf"
else
    rm -f "$SERVE_DIR/nginx-solr.conf"
fi
/usr/sbin/nginx -t -c "$SERVE_DIR/nginx.conf" >"$LOG_DIR/nginx-test.log" 2>&1 || {
    show_log_tail "$LOG_DIR/nginx-test.log"
    die "nginx refuses its configuration ($SERVE_DIR/nginx.conf)"
}

# What `ckan run` does at each start and uwsgi never does: the scripts'
# translations; and the web assets built once, for nginx to serve.
say "building the scripts' translations and the web assets"
"$CKAN_BIN" -c "$SERVE_INI" translation js >>"$LOG_DIR/serve-setup.log" 2>&1 \
    || die "ckan translation js failed (log: $LOG_DIR/serve-setup.log)"
"$CKAN_BIN" -c "$SERVE_INI" asset build >>"$LOG_DIR/serve-setup.log" 2>&1 \
    || warn "ckan asset build failed: CKAN builds the assets at the first request (log: $LOG_DIR/serve-setup.log)"

say "starting supervisor: uwsgi ($SERVE_WEB_INSTANCES x $SERVE_PROCESSES workers), nginx on 127.0.0.1:$SERVE_PORT, jobs, harvest gather, $SERVE_FETCH_CONSUMERS harvest fetch, harvest schedule"
"$VENV_DIR/bin/supervisord" -c "$SERVE_DIR/supervisord.conf"
ready=0
for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$SERVE_PORT/api/3/action/status_show" 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.5
done
if [ "$ready" != 1 ]; then
    "${SUPERVISORCTL[@]}" status || true
    show_log_tail "$LOG_DIR/serve-web-0.log"
    die "the portal does not answer on 127.0.0.1:$SERVE_PORT (logs: $LOG_DIR/serve-*.log)"
fi
if [ "$SERVE_TOPOLOGY" = cloud ]; then
    say "indexing the catalogue into the SolrCloud collection (through nginx's proxy)"
    "$CKAN_BIN" -c "$SERVE_INI" search-index rebuild >>"$LOG_DIR/serve-setup.log" 2>&1 \
        || die "ckan search-index rebuild failed (log: $LOG_DIR/serve-setup.log)"
fi
check || die "a worker does not answer (dev/serve.sh status; logs: $LOG_DIR/serve-*.log)"

cat <<EOF

  Portail (uwsgi + nginx) : http://127.0.0.1:$SERVE_PORT   (prêt en $(($(date +%s) - started)) s)
  Administrateur          : admin
  Mot de passe            : $(cat "$DEV_DIR/demo-admin-password")
  Processus               : dev/serve.sh status   (arrêt : make serve-stop)
  Journaux                : $LOG_DIR/serve-*.log, nginx-access.log, nginx-error.log

EOF
