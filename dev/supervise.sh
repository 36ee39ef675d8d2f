#!/usr/bin/env bash
# Runs a worker and starts it again whenever it dies, as docker/'s restart
# policy (or supervisor) does in production: a worker killed by hand, or
# that lost its Redis or PostgreSQL connection, is back within seconds (2 s,
# doubling up to 30 s while it keeps dying within a minute of its start).
#
#   dev/supervise.sh NAME LOG -- COMMAND [ARG...]
#
# State in $RUN_DIR/workers/: NAME.pid (this supervisor), NAME.child (the
# worker's current pid), NAME.restarts (how many times it was started
# again). `dev/services.sh status` reports them. TERM or INT stop the worker
# and the supervisor.
set -uo pipefail
_TAG=supervise
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

name=${1:?usage: dev/supervise.sh NAME LOG -- COMMAND...}
log=${2:?usage: dev/supervise.sh NAME LOG -- COMMAND...}
shift 2
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || die "usage: dev/supervise.sh NAME LOG -- COMMAND..."

state=$RUN_DIR/workers
mkdir -p "$state"
echo $$ >"$state/$name.pid"
echo 0 >"$state/$name.restarts"
child=

stop() {
    [ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
    rm -f "$state/$name.pid" "$state/$name.child"
    exit 0
}
trap stop TERM INT

delay=2
restarts=0
while true; do
    started=$(date +%s)
    "$@" >>"$log" 2>&1 &
    child=$!
    echo "$child" >"$state/$name.child"
    wait "$child"
    status=$?
    child=
    if [ $(($(date +%s) - started)) -ge 60 ]; then
        delay=2
    fi
    printf '[%s] %s exited with status %d; starting it again in %d s\n' \
        "$(date -u +%FT%TZ)" "$name" "$status" "$delay" >>"$log"
    sleep "$delay" &
    wait $!
    restarts=$((restarts + 1))
    echo "$restarts" >"$state/$name.restarts"
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
