#!/usr/bin/env bash
# Starts, stops and reports on the project's own PostgreSQL, Redis and Solr,
# all on 127.0.0.1, all state under $DEV_DIR (default .dev/), logs in
# $DEV_DIR/logs. Idempotent: starting a running service does nothing.
#
#   dev/services.sh start  [postgres|redis|solr]...   (default: all three)
#   dev/services.sh stop   [postgres|redis|solr]...
#   dev/services.sh status [postgres|redis|solr]...   (exit 3 if one is down)
set -euo pipefail
_TAG=services
# shellcheck source=dev/env.sh
source "$(dirname "$0")/env.sh"

PG_BIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)

# PostgreSQL refuses to run as root: as root, its files belong to the
# "postgres" system user created by the Debian package and its commands run as
# that user.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_running() { [ -n "$PG_BIN" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

postgres_start() {
    [ -n "$PG_BIN" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql (run dev/setup.sh)"
    if pg_running; then
        say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
        return
    fi
    mkdir -p "$DEV_DIR/pg"
    if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -w "$DEV_DIR/pg" 2>/dev/null; then
        chown postgres: "$DEV_DIR/pg"
        runuser -u postgres -- test -w "$DEV_DIR/pg" \
            || die "the postgres user cannot reach $DEV_DIR/pg: give it search (x) permission on the parent folders, or set DEV_DIR to a folder it can reach"
    fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        say "creating a PostgreSQL cluster in $PG_DATA"
        as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust \
            --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/postgres-initdb.log" 2>&1 || {
            show_log_tail "$LOG_DIR/postgres-initdb.log"
            die "PostgreSQL initdb failed (log: $LOG_DIR/postgres-initdb.log)"
        }
    fi
    mkdir -p "$PG_SOCKET_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_SOCKET_DIR"
    touch "$LOG_DIR/postgres.log"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$LOG_DIR/postgres.log"
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $LOG_DIR/postgres.log)"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$LOG_DIR/postgres.log" -w -t 60 \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCKET_DIR -c max_connections=200 -c synchronous_commit=off" \
        start >/dev/null || {
        show_log_tail "$LOG_DIR/postgres.log"
        die "PostgreSQL did not start (log: $LOG_DIR/postgres.log)"
    }
    "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -t 30 >/dev/null \
        || die "PostgreSQL started but does not accept connections (log: $LOG_DIR/postgres.log)"
}

postgres_stop() {
    if pg_running; then
        say "stopping PostgreSQL"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    else
        say "PostgreSQL is not running"
    fi
}

postgres_status() {
    if pg_running; then
        say "PostgreSQL: running on 127.0.0.1:$PG_PORT (data: $PG_DATA)"
    else
        say "PostgreSQL: stopped"
        return 3
    fi
}

redis_pid() { cat "$RUN_DIR/redis.pid" 2>/dev/null || true; }
redis_running() {
    local pid
    pid=$(redis_pid)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
        && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG
}

redis_start() {
    if redis_running; then
        say "Redis already running on 127.0.0.1:$REDIS_PORT"
        return
    fi
    command -v redis-server >/dev/null || die "redis-server not found (run dev/setup.sh)"
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        die "port $REDIS_PORT answers but it is not our Redis (no live pid in $RUN_DIR/redis.pid): stop that server or set REDIS_PORT"
    fi
    mkdir -p "$DEV_DIR/redis"
    say "starting Redis on 127.0.0.1:$REDIS_PORT (log: $LOG_DIR/redis.log)"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$RUN_DIR/redis.pid" --logfile "$LOG_DIR/redis.log" \
        --dir "$DEV_DIR/redis" --save 60 1000 --appendonly no >/dev/null || {
        show_log_tail "$LOG_DIR/redis.log"
        die "Redis did not start (log: $LOG_DIR/redis.log)"
    }
    local i
    for i in $(seq 1 50); do
        redis_running && return
        sleep 0.2
    done
    show_log_tail "$LOG_DIR/redis.log"
    die "Redis did not answer PING within 10 s (log: $LOG_DIR/redis.log)"
}

redis_stop() {
    if redis_running; then
        say "stopping Redis"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$(redis_pid)"
        rm -f "$RUN_DIR/redis.pid"
    else
        say "Redis is not running"
    fi
}

redis_status() {
    if redis_running; then
        say "Redis: running on 127.0.0.1:$REDIS_PORT (pid $(redis_pid))"
    else
        say "Redis: stopped"
        return 3
    fi
}

ckan_schema_xml() {
    "$VENV_DIR/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))' 2>/dev/null \
        || die "CKAN is not installed in $VENV_DIR (run dev/setup.sh)"
}

solr_start() { CKAN_SCHEMA_XML=$(ckan_schema_xml) bash "$REPO_DIR/dev/solr/solr.sh" start; }
solr_stop() { bash "$REPO_DIR/dev/solr/solr.sh" stop; }
solr_status() { bash "$REPO_DIR/dev/solr/solr.sh" status; }

# The demo's workers (dev/demo.sh runs them under dev/supervise.sh).
workers_status() {
    local state=$RUN_DIR/workers pidfile name supervisor child restarts
    shopt -s nullglob
    local found=0
    for pidfile in "$state"/*.pid; do
        found=1
        name=$(basename "$pidfile" .pid)
        supervisor=$(cat "$pidfile" 2>/dev/null || true)
        child=$(cat "$state/$name.child" 2>/dev/null || true)
        restarts=$(cat "$state/$name.restarts" 2>/dev/null || echo 0)
        if [ -z "$supervisor" ] || ! kill -0 "$supervisor" 2>/dev/null; then
            say "worker $name: stopped (its supervisor is gone)"
            rm -f "$pidfile" "$state/$name.child"
        elif [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
            say "worker $name: running (pid $child, started again $restarts times)"
        else
            say "worker $name: restarting (started again $restarts times; log: $LOG_DIR/$name.log)"
        fi
    done
    [ $found -eq 1 ] || say "workers: none running (make demo starts them)"
}

command=${1:-status}
shift || true
services=("$@")
[ ${#services[@]} -eq 0 ] && services=(postgres redis solr)
[ "$command" = stop ] && [ $# -eq 0 ] && services=(solr redis postgres)

rc=0
for service in "${services[@]}"; do
    case "$service" in
        postgres | redis | solr) ;;
        *) die "unknown service '$service' (postgres, redis or solr)" ;;
    esac
    case "$command" in
        start) "${service}_start" ;;
        stop) "${service}_stop" ;;
        status) "${service}_status" || rc=3 ;;
        *) die "usage: $0 start|stop|status [postgres|redis|solr]..." ;;
    esac
done
[ "$command" = status ] && [ $# -eq 0 ] && workers_status
exit $rc
