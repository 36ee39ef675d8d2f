#!/usr/bin/env bash
# Dev-only Apache Solr 9 for CKAN 2.11, on 127.0.0.1, without Docker and without
# a Solr tarball: the Solr jars come from Maven Central (cached in ~/.m2) and a
# small launcher (src/main/java/dev/CkanSolr.java) runs them in embedded Jetty.
#
#   dev/solr/solr.sh build    build the launcher (skipped when up to date)
#   dev/solr/solr.sh start    build if needed, start detached, wait until the core answers
#   dev/solr/solr.sh stop     SIGTERM, then SIGKILL after $SOLR_STOP_TIMEOUT s; idempotent
#   dev/solr/solr.sh status   running: exit 0, stopped: exit 3
#
# Environment (defaults):
#   DEV_DIR             state root (<repo>/.dev)
#   SOLR_PORT           8983; the core is http://127.0.0.1:$SOLR_PORT/solr/ckan
#   CKAN_SCHEMA_XML     CKAN's ckan/config/solr/schema.xml (required by start)
#   SOLR_HEAP           512m (-Xmx)
#   SOLR_START_TIMEOUT  120 (seconds to wait for the core)
#   SOLR_STOP_TIMEOUT   20 (seconds between SIGTERM and SIGKILL)
#   SOLR_JAVA_OPTS      extra JVM options, e.g. -Dckan.solr.loglevel=INFO
#
# State, all under $DEV_DIR: solr-build/ (classes, jars, stamp, mvn.log),
# solr/home/ (config refreshed at every start, index kept in ckan/data),
# run/solr.pid, logs/solr.log.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
DEV_DIR=${DEV_DIR:-$REPO_DIR/.dev}
mkdir -p "$DEV_DIR"
DEV_DIR=$(cd "$DEV_DIR" && pwd)
SOLR_PORT=${SOLR_PORT:-8983}
SOLR_HEAP=${SOLR_HEAP:-512m}
SOLR_START_TIMEOUT=${SOLR_START_TIMEOUT:-120}
SOLR_STOP_TIMEOUT=${SOLR_STOP_TIMEOUT:-20}
SOLR_JAVA_OPTS=${SOLR_JAVA_OPTS:-}

BUILD_DIR=$DEV_DIR/solr-build
CLASSES_DIR=$BUILD_DIR/target/classes
LIB_DIR=$BUILD_DIR/lib
STAMP_FILE=$BUILD_DIR/stamp
SOLR_HOME=$DEV_DIR/solr/home
RUN_DIR=$DEV_DIR/run
PID_FILE=$RUN_DIR/solr.pid
PORT_FILE=$RUN_DIR/solr.port
LOCK_FILE=$RUN_DIR/solr.lock
LOG_DIR=$DEV_DIR/logs
LOG_FILE=$LOG_DIR/solr.log
MAIN_CLASS=dev.CkanSolr
SOLR_VERSION=$(sed -n 's:.*<solr.version>\(.*\)</solr.version>.*:\1:p' "$SCRIPT_DIR/pom.xml")

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    JAVA=$JAVA_HOME/bin/java
else
    JAVA=java
fi

say() { printf '[solr] %s\n' "$*"; }
warn() { printf '[solr] WARNING: %s\n' "$*" >&2; }
die() {
    printf '[solr] ERROR: %s\n' "$*" >&2
    exit 1
}

show_log_tail() {
    if [ -f "$LOG_FILE" ]; then
        printf -- '--- last 30 lines of %s ---\n' "$LOG_FILE" >&2
        tail -n 30 "$LOG_FILE" >&2
        printf -- '--- end of %s ---\n' "$LOG_FILE" >&2
    fi
}

# One build/start/stop at a time per $DEV_DIR (fd 9; the Solr JVM must not inherit it).
take_lock() {
    mkdir -p "$RUN_DIR"
    exec 9>"$LOCK_FILE"
    flock -w 600 9 || die "another solr.sh holds $LOCK_FILE for too long"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# GET http://127.0.0.1:PORT/PATH, body on stdout; non-zero unless HTTP 200.
http_get() {
    local url="http://127.0.0.1:$1$2"
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -m 5 "$url" 2>/dev/null
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$url" 2>/dev/null
    else
        die "need curl or python3 to talk to Solr"
    fi
}

core_answers() { # PORT
    http_get "$1" "/solr/ckan/admin/ping?wt=json" | grep -q '"status" *: *"OK"'
}

port_in_use() { # PORT
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Is PID a live launcher of *this* $DEV_DIR's Solr (guards against pid reuse)?
is_our_solr() {
    local pid=$1 cmd
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$MAIN_CLASS $SOLR_HOME "* ]]
}

# Prints the pid of our running Solr, or nothing.
running_pid() {
    local pid=""
    [ -f "$PID_FILE" ] && pid=$(cat "$PID_FILE" 2>/dev/null || true)
    if is_our_solr "$pid"; then
        echo "$pid"
    fi
}

running_port() {
    cat "$PORT_FILE" 2>/dev/null || echo "$SOLR_PORT"
}

source_sum() {
    {
        (cd "$SCRIPT_DIR" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum)
        "$JAVA" -version 2>&1 | head -n 1
    } | sha256sum | cut -d' ' -f1
}

is_built() {
    [ -f "$STAMP_FILE" ] && [ "$(cat "$STAMP_FILE")" = "$(source_sum)" ] &&
        [ -f "$CLASSES_DIR/dev/CkanSolr.class" ] &&
        compgen -G "$LIB_DIR/solr-core-*.jar" >/dev/null
}

do_build() {
    if is_built; then
        return 0
    fi
    command -v "$JAVA" >/dev/null 2>&1 || die "java not found (JDK 17+ needed: apt-get install openjdk-17-jdk-headless)"
    command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install maven)"
    if [ -n "$(running_pid)" ]; then
        warn "Solr is running: it keeps using the old build until 'solr.sh stop && solr.sh start'"
    fi
    local repo=${HOME:-/root}/.m2/repository
    if [ ! -d "$repo/org/apache/solr/solr-core/$SOLR_VERSION" ]; then
        say "downloading Solr $SOLR_VERSION jars from Maven Central, first run only (~1 min)"
    else
        say "building the Solr $SOLR_VERSION launcher"
    fi
    mkdir -p "$BUILD_DIR"
    rm -rf "$BUILD_DIR/target" "$LIB_DIR" "$STAMP_FILE"
    local t0
    t0=$(now_ms)
    if ! mvn -B -q -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" \
        -DbuildDir="$BUILD_DIR/target" -DlibDir="$LIB_DIR" \
        compile dependency:copy-dependencies >"$BUILD_DIR/mvn.log" 2>&1; then
        tail -n 40 "$BUILD_DIR/mvn.log" >&2
        die "Maven build of the Solr launcher failed (full output: $BUILD_DIR/mvn.log)"
    fi
    source_sum >"$STAMP_FILE"
    say "built in $(( ($(now_ms) - t0) / 1000 ))s ($(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $LIB_DIR)"
}

check_schema() {
    [ -n "${CKAN_SCHEMA_XML:-}" ] ||
        die "CKAN_SCHEMA_XML is not set: point it at CKAN's schema, e.g. \$VENV/lib/python3.*/site-packages/ckan/config/solr/schema.xml"
    [ -r "$CKAN_SCHEMA_XML" ] || die "CKAN_SCHEMA_XML=$CKAN_SCHEMA_XML is not a readable file"
    grep -q '<schema name="ckan-' "$CKAN_SCHEMA_XML" ||
        warn "$CKAN_SCHEMA_XML has no <schema name=\"ckan-X.Y\">: CKAN's version check may refuse it"
}

prepare_home() {
    # Config is refreshed from the template at every start; ckan/data (the index) is kept.
    mkdir -p "$SOLR_HOME/ckan"
    rm -rf "$SOLR_HOME/ckan/conf"
    cp "$SCRIPT_DIR/home/solr.xml" "$SOLR_HOME/solr.xml"
    cp "$SCRIPT_DIR/home/ckan/core.properties" "$SOLR_HOME/ckan/core.properties"
    cp -R "$SCRIPT_DIR/home/ckan/conf" "$SOLR_HOME/ckan/conf"
    cp "$CKAN_SCHEMA_XML" "$SOLR_HOME/ckan/conf/schema.xml"
    # French: elision in CKAN's "text" field type (its name and version are
    # kept), and the synonyms of conf/synonyms.txt (CKAN's query analyzer
    # reads that file). SOLR_FRENCH=0 starts CKAN's schema as it is, with no
    # synonyms (the "before" of bench/search_recall.py).
    if [ "${SOLR_FRENCH:-1}" = "0" ]; then
        : >"$SOLR_HOME/ckan/conf/synonyms.txt"
    else
        python3 "$SCRIPT_DIR/french_text.py" "$SOLR_HOME/ckan/conf/schema.xml" ||
            die "could not add French elision to $SOLR_HOME/ckan/conf/schema.xml"
    fi
}

do_start() {
    take_lock
    local pid port
    pid=$(running_pid)
    if [ -n "$pid" ]; then
        port=$(running_port)
        [ "$port" = "$SOLR_PORT" ] ||
            warn "this Solr runs on port $port, not SOLR_PORT=$SOLR_PORT (one Solr per DEV_DIR)"
        if core_answers "$port"; then
            say "already running (pid $pid) at http://127.0.0.1:$port/solr/ckan"
            return 0
        fi
        say "pid $pid is alive but the core does not answer yet; waiting"
        wait_ready "$pid" "$port" "$(now_ms)"
        return 0
    fi

    rm -f "$PID_FILE" "$PORT_FILE" # stale, if any
    check_schema
    if port_in_use "$SOLR_PORT"; then
        if core_answers "$SOLR_PORT"; then
            die "a Solr with a 'ckan' core already answers on 127.0.0.1:$SOLR_PORT but was not started from $DEV_DIR (no live pid in $PID_FILE); stop it or set SOLR_PORT"
        fi
        die "port $SOLR_PORT on 127.0.0.1 is taken by another program (not this Solr); free it or set SOLR_PORT"
    fi
    do_build
    prepare_home
    mkdir -p "$LOG_DIR" "$RUN_DIR"
    printf '\n===== %s solr.sh start: Solr %s, port %s, home %s\n' \
        "$(date '+%Y-%m-%d %H:%M:%S')" "$SOLR_VERSION" "$SOLR_PORT" "$SOLR_HOME" >>"$LOG_FILE"

    local t0
    t0=$(now_ms)
    # setsid + nohup: own session, survives the calling shell and its Ctrl-C.
    # (Not a process-group leader here, so setsid execs in place: $! is java's pid.)
    # shellcheck disable=SC2086 # SOLR_JAVA_OPTS is a list of options
    (
        cd "$DEV_DIR/solr"
        exec setsid nohup "$JAVA" \
            -Xms64m -Xmx"$SOLR_HEAP" -Xss256k -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
            -Djava.awt.headless=true -Dfile.encoding=UTF-8 \
            -Dlog4j2.configurationFile="$CLASSES_DIR/log4j2.xml" \
            -Djava.util.logging.config.file="$CLASSES_DIR/logging.properties" \
            -Dsolr.install.dir="$BUILD_DIR" -Dsolr.solr.home="$SOLR_HOME" \
            -Dsolr.log.dir="$LOG_DIR" -Dsolr.port="$SOLR_PORT" \
            $SOLR_JAVA_OPTS \
            -cp "$CLASSES_DIR:$LIB_DIR/*" "$MAIN_CLASS" "$SOLR_HOME" "$SOLR_PORT" \
            </dev/null >>"$LOG_FILE" 2>&1 9>&-
    ) &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$SOLR_PORT" >"$PORT_FILE"
    say "starting Solr $SOLR_VERSION (pid $pid, log $LOG_FILE)"
    wait_ready "$pid" "$SOLR_PORT" "$t0"
}

wait_ready() { # PID PORT T0_MS
    local pid=$1 port=$2 t0=$3
    local deadline=$(($(now_ms) + SOLR_START_TIMEOUT * 1000))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE" "$PORT_FILE"
            printf '[solr] ERROR: Solr exited during startup (port %s); log: %s\n' "$port" "$LOG_FILE" >&2
            show_log_tail
            exit 1
        fi
        if core_answers "$port"; then
            local ms=$(($(now_ms) - t0))
            say "ready at http://127.0.0.1:$port/solr/ckan (pid $pid, $((ms / 1000)).$((ms % 1000 / 100))s)"
            return 0
        fi
        if [ "$(now_ms)" -ge "$deadline" ]; then
            printf '[solr] ERROR: Solr did not answer on http://127.0.0.1:%s/solr/ckan/admin/ping within %ss; log: %s\n' \
                "$port" "$SOLR_START_TIMEOUT" "$LOG_FILE" >&2
            show_log_tail
            stop_pid "$pid"
            exit 1
        fi
        sleep 0.5
    done
}

stop_pid() { # PID
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < SOLR_STOP_TIMEOUT * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        warn "Solr (pid $pid) still alive after ${SOLR_STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 25; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
}

do_stop() {
    take_lock
    local pid
    pid=$(running_pid)
    if [ -z "$pid" ]; then
        rm -f "$PID_FILE" "$PORT_FILE" # stale, if any
        say "not running"
        return 0
    fi
    say "stopping Solr (pid $pid)"
    stop_pid "$pid"
    say "stopped"
}

do_status() {
    local pid port
    pid=$(running_pid)
    if [ -z "$pid" ]; then
        say "stopped"
        return 3
    fi
    port=$(running_port)
    if core_answers "$port"; then
        say "running (pid $pid) at http://127.0.0.1:$port/solr/ckan"
    else
        say "running (pid $pid) but the core does not answer at http://127.0.0.1:$port/solr/ckan (starting or unhealthy; log: $LOG_FILE)"
    fi
}

case "${1:-}" in
build)
    take_lock
    do_build
    is_built && say "up to date ($BUILD_DIR)"
    ;;
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
*)
    echo "usage: $0 {build|start|stop|status}" >&2
    exit 2
    ;;
esac
