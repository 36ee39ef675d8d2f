#!/usr/bin/env bash
# Wall time of the two README commands on this machine, cold and warm:
#   cold  a fresh clone with no .dev/ (no virtualenv, no database cluster, no
#         Solr build); the machine's package caches (pip, ~/.m2) and Debian
#         packages are kept, as on a developer's machine after a first project
#   warm  the same command run again right after
# `make test` is timed to its end; `make demo` until the portal answers HTTP 200
# on its home page (then it is stopped).
#
#   bash bench/startup_times.sh
#
# The clones run their services on their own ports (PG_PORT, REDIS_PORT,
# SOLR_PORT, DEMO_PORT below), so this checkout's services may stay up; what
# else runs on the machine meanwhile shows in the figures.
# Prints a Markdown table for bench/RESULTS.md.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
export PG_PORT=${BENCH_PG_PORT:-54339} REDIS_PORT=${BENCH_REDIS_PORT:-63809}
export SOLR_PORT=${BENCH_SOLR_PORT:-8993} DEMO_PORT=${BENCH_DEMO_PORT:-5010}

for port in "$PG_PORT" "$REDIS_PORT" "$SOLR_PORT" "$DEMO_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is in use: choose others with BENCH_PG_PORT, BENCH_REDIS_PORT, BENCH_SOLR_PORT, BENCH_DEMO_PORT" >&2
        exit 1
    fi
done

work=$(mktemp -d /tmp/territoire-bench.XXXXXX)
chmod 755 "$work"
clone=
fresh_clone() {
    [ -z "$clone" ] || bash "$clone/dev/services.sh" stop >/dev/null 2>&1 || true
    clone=$work/clone-$1
    git clone -q "$REPO" "$clone"
}
cleanup() {
    [ -z "$clone" ] || bash "$clone/dev/services.sh" stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s; }
elapsed() { echo $(($(now) - $1)); }

time_test() {
    local t0
    t0=$(now)
    (cd "$clone" && make test >"$work/test-$1.log" 2>&1) || {
        tail -n 40 "$work/test-$1.log" >&2
        echo "make test failed ($1 run)" >&2
        exit 1
    }
    elapsed "$t0"
}

time_demo() {
    local t0 pid
    t0=$(now)
    (cd "$clone" && exec setsid make demo >"$work/demo-$1.log" 2>&1) &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$DEMO_PORT/"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$work/demo-$1.log" >&2
            echo "make demo stopped before serving ($1 run)" >&2
            exit 1
        fi
        sleep 0.5
    done
    elapsed "$t0"
    kill -- -"$pid" 2>/dev/null || kill "$pid"
    wait "$pid" 2>/dev/null || true
    sleep 1
}

fresh_clone demo
demo_cold=$(time_demo cold)
demo_warm=$(time_demo warm)
fresh_clone test
test_cold=$(time_test cold)
test_warm=$(time_test warm)

tests=$(grep -Eo '[0-9]+ passed' "$work/test-warm.log" | tail -n 1)
cat <<TABLE
| command | run | wall time |
| --- | --- | --- |
| \`make test\` | cold (fresh clone, no .dev/) | ${test_cold} s |
| \`make test\` | warm (second run) | ${test_warm} s ($tests) |
| \`make demo\` until the portal answers | cold (fresh clone, no .dev/) | ${demo_cold} s |
| \`make demo\` until the portal answers | warm (second start, services still up) | ${demo_warm} s |
TABLE
