"""SolrCloud on this machine, for the scale-out topology (`make cloud`):
one ZooKeeper and two Solr 9 nodes, each its own process, built from the
same Maven Central jars as the dev Solr (dev/solr/solr.sh build), with
CKAN's collection ``ckan`` in 2 shards of 2 replicas (each node holds one
replica of each shard: either node alone answers every query).

    python3 dev/solr/cloud.py start        ZooKeeper, the nodes, the collection
    python3 dev/solr/cloud.py status       processes, live nodes, replicas
    python3 dev/solr/cloud.py kill N       SIGKILL node N (1, 2...): a crash
    python3 dev/solr/cloud.py stop         the nodes, then ZooKeeper

``start`` is idempotent: it starts what is not running (a killed node comes
back and catches up), uploads the configuration again (CKAN's schema with
the portal's French analysis, made fit for SolrCloud by
docker/solr/cloud_configset.py: a long ``_version_`` and the update log) and
reloads the collection, or creates it.

Environment (defaults): DEV_DIR (<repo>/.dev), CLOUD_ZK_PORT (9985),
CLOUD_SOLR_PORTS ("8985 8986"), CLOUD_SHARDS (2), CLOUD_REPLICAS (2),
CLOUD_ZK_TIMEOUT (10000 ms: how long a dead node's shards wait before a new
leader is elected), SOLR_HEAP (512m), CKAN_SCHEMA_XML (CKAN's schema.xml,
found in the virtualenv when unset). State: $DEV_DIR/solr-cloud/, pids in
$DEV_DIR/run/solr-cloud-*.pid, logs in $DEV_DIR/logs/solr-cloud-*.log.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEV_DIR = Path(os.environ.get("DEV_DIR") or REPO / ".dev").resolve()
STATE = DEV_DIR / "solr-cloud"
RUN = DEV_DIR / "run"
LOGS = DEV_DIR / "logs"
BUILD = DEV_DIR / "solr-build"
ZK_PORT = int(os.environ.get("CLOUD_ZK_PORT", "9985"))
SOLR_PORTS = [int(p) for p in os.environ.get("CLOUD_SOLR_PORTS", "8985 8986").split()]
SHARDS = int(os.environ.get("CLOUD_SHARDS", "2"))
REPLICAS = int(os.environ.get("CLOUD_REPLICAS", "2"))
ZK_TIMEOUT = int(os.environ.get("CLOUD_ZK_TIMEOUT", "10000"))
HEAP = os.environ.get("SOLR_HEAP", "512m")
COLLECTION = "ckan"
START_TIMEOUT = 120


def say(message: str) -> None:
    print(f"[solr-cloud] {message}", flush=True)


def die(message: str) -> None:
    print(f"[solr-cloud] ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


# Processes


class Process:
    """One JVM of the topology: its pid file, log and command line."""

    def __init__(self, name: str, main: str, args: list[str], options: list[str]):
        self.name, self.main, self.args, self.options = name, main, args, options
        self.pid_file = RUN / f"solr-cloud-{name}.pid"
        self.log = LOGS / f"solr-cloud-{name}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
            command = (
                Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
            )
        except (OSError, ValueError):
            return None
        wanted = [self.main.encode(), *(a.encode() for a in self.args)]
        return pid if command[-len(wanted) :] == wanted else None

    def alive(self) -> bool:
        """The process of the pid file is not dead (what it runs is not
        checked: its command line is briefly unreadable as it starts)."""
        try:
            pid = int(self.pid_file.read_text())
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (OSError, ValueError):
            return False
        return stat.rsplit(") ", 1)[-1][:1] not in ("Z", "X")

    def start(self) -> int:
        pid = self.pid()
        if pid:
            say(f"{self.name}: already running (pid {pid})")
            return pid
        java = shutil.which("java") or die("java not found (dev/setup.sh installs it)")
        command = [
            str(java),
            "-Xms64m",
            f"-Xmx{HEAP}",
            "-Xss256k",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            "-Dfile.encoding=UTF-8",
            f"-Dlog4j2.configurationFile={BUILD / 'target/classes/log4j2.xml'}",
            *self.options,
            "-cp",
            f"{BUILD / 'target/classes'}:{BUILD / 'lib'}/*",
            self.main,
            *self.args,
        ]
        LOGS.mkdir(parents=True, exist_ok=True)
        RUN.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:
            log.write(f"\n===== {time.strftime('%F %T')} cloud.py start {self.name}\n")
            log.flush()
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives this script and its Ctrl-C
                cwd=STATE,
            )
        self.pid_file.write_text(str(process.pid))
        say(f"{self.name}: started (pid {process.pid}, log {self.log})")
        return process.pid

    def stop(self, sig: int = signal.SIGTERM, wait: float = 30) -> None:
        pid = self.pid()
        if not pid:
            self.pid_file.unlink(missing_ok=True)
            return
        os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and self.alive():
            time.sleep(0.2)
        if self.alive() and sig != signal.SIGKILL:
            say(f"{self.name}: still alive after {wait:.0f} s, SIGKILL")
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def zookeeper() -> Process:
    return Process(
        "zk",
        "org.apache.zookeeper.server.ZooKeeperServerMain",
        [str(STATE / "zoo.cfg")],
        [],
    )


def zookeeper_config() -> None:
    """A standalone ZooKeeper on 127.0.0.1, without its admin web server
    (it would take port 8080), answering the "four letter words" Solr's
    admin pages and cloud.py use."""
    (STATE / "zoo.cfg").write_text(
        f"dataDir={STATE / 'zk'}\n"
        f"clientPort={ZK_PORT}\n"
        "clientPortAddress=127.0.0.1\n"
        "tickTime=2000\n"
        "admin.enableServer=false\n"
        "4lw.commands.whitelist=ruok,mntr,conf,srvr\n"
    )


def node(number: int) -> Process:
    port = SOLR_PORTS[number - 1]
    home = STATE / f"node{number}"
    return Process(
        f"node{number}",
        "dev.CkanSolr",
        [str(home), str(port)],
        [
            f"-DzkHost=127.0.0.1:{ZK_PORT}",
            f"-DhostPort={port}",
            "-Dhost=127.0.0.1",
            f"-DzkClientTimeout={ZK_TIMEOUT}",
            f"-Dsolr.solr.home={home}",
            f"-Dsolr.log.dir={LOGS}",
            f"-Dsolr.port={port}",
            f"-Dsolr.install.dir={BUILD}",
        ],
    )


def nodes() -> list[Process]:
    return [node(n) for n in range(1, len(SOLR_PORTS) + 1)]


# Solr's HTTP APIs


def api(port: int, path: str, params: dict | None = None, body: bytes | None = None):
    url = f"http://127.0.0.1:{port}/solr/{path}"
    if params:
        url += "?" + urllib.parse.urlencode({**params, "wt": "json"})
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    if body:
        request.add_header("Content-Type", "application/octet-stream")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def wait_for(what: str, check, timeout: float = START_TIMEOUT, process=None):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (OSError, urllib.error.URLError, ValueError):
            result = None
        if result:
            return result
        if process is not None and not process.alive():
            die(
                f"{process.name} exited while {what}; "
                f"log {process.log}:\n{process.tail()}"
            )
        if time.monotonic() > deadline:
            die(f"{what}: not after {timeout:.0f} s (logs: {LOGS}/solr-cloud-*.log)")
        time.sleep(0.5)


def zk_answers() -> bool:
    import socket

    with socket.create_connection(("127.0.0.1", ZK_PORT), timeout=2) as conn:
        conn.sendall(b"ruok")
        return conn.recv(4) == b"imok"


def live_nodes(port: int) -> list[str]:
    status = api(port, "admin/collections", {"action": "CLUSTERSTATUS"})
    return list(status["cluster"]["live_nodes"])


def collection_state(port: int) -> dict | None:
    status = api(port, "admin/collections", {"action": "CLUSTERSTATUS"})
    return status["cluster"]["collections"].get(COLLECTION)


def replicas(state: dict) -> list[tuple[str, str, str, bool]]:
    """(shard, node, state, leader) of every replica."""
    return [
        (shard, r["node_name"], r["state"], r.get("leader") == "true")
        for shard, data in sorted(state["shards"].items())
        for r in data["replicas"].values()
    ]


def healthy(port: int) -> bool:
    state = collection_state(port)
    if not state:
        return False
    live = set(live_nodes(port))
    rows = replicas(state)
    return len(rows) == SHARDS * REPLICAS and all(
        s == "active" and n in live for _, n, s, _ in rows
    )


# The configuration


def ckan_schema() -> Path:
    given = os.environ.get("CKAN_SCHEMA_XML")
    if given:
        return Path(given)
    found = sorted(
        (DEV_DIR / "venv/lib").glob(
            "python3*/site-packages/ckan/config/solr/schema.xml"
        )
    )
    if not found:
        die("CKAN's schema.xml not found: run dev/setup.sh or set CKAN_SCHEMA_XML")
    return found[0]


def configset() -> bytes:
    """The zipped configset: the dev core's configuration with CKAN's schema
    and the French analysis (as solr.sh makes it), made fit for SolrCloud."""
    work = STATE / "configset"
    shutil.rmtree(work, ignore_errors=True)
    source = work / "source"
    shutil.copytree(HERE / "home/ckan/conf", source)
    shutil.copy(ckan_schema(), source / "schema.xml")
    subprocess.run(
        [sys.executable, str(HERE / "french_text.py"), str(source / "schema.xml")],
        check=True,
    )
    cloud = work / "cloud"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "docker/solr/cloud_configset.py"),
            str(source),
            str(cloud),
        ],
        check=True,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(cloud.rglob("*")):
            if path.is_file():
                # A fixed date: the same files make the same archive.
                entry = zipfile.ZipInfo(path.relative_to(cloud).as_posix())
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


# Commands


def upload_configuration(port: int) -> bool:
    """Uploads the configset when it is not the one uploaded last; says
    whether it did."""
    archive = configset()
    digest = hashlib.sha256(archive).hexdigest()
    stamp = STATE / "configset.sha256"
    configs = api(port, "admin/configs", {"action": "LIST"})["configSets"]
    if COLLECTION in configs and stamp.exists() and stamp.read_text() == digest:
        return False
    api(
        port,
        "admin/configs",
        {
            "action": "UPLOAD",
            "name": COLLECTION,
            "overwrite": "true",
            "cleanup": "true",
        },
        archive,
    )
    stamp.write_text(digest)
    return True


def start() -> None:
    started = time.monotonic()
    subprocess.run(["bash", str(HERE / "solr.sh"), "build"], check=True)
    for directory in ["zk", *(f"node{n}" for n in range(1, len(SOLR_PORTS) + 1))]:
        (STATE / directory).mkdir(parents=True, exist_ok=True)
    for n in range(1, len(SOLR_PORTS) + 1):
        shutil.copy(HERE / "cloud/solr.xml", STATE / f"node{n}/solr.xml")

    zookeeper_config()
    zk = zookeeper()
    zk.start()
    wait_for("ZooKeeper answers", zk_answers, process=zk)
    say(f"ZooKeeper ready on 127.0.0.1:{ZK_PORT}")
    # The configuration is uploaded before a stopped node starts, through
    # a running one: a node loads its cores from it as it starts, and an
    # upload under its feet (files removed, then written) fails them.
    running = [
        port for process, port in zip(nodes(), SOLR_PORTS, strict=True) if process.pid()
    ]
    changed = False
    if running:
        wait_for("a running node answers", lambda: bool(live_nodes(running[0])))
        changed = upload_configuration(running[0])
    for process in nodes():
        process.start()
    for process, port in zip(nodes(), SOLR_PORTS, strict=True):
        wait_for(
            f"{process.name} joins the cluster",
            lambda port=port: f"127.0.0.1:{port}_solr" in live_nodes(port),
            process=process,
        )
        say(f"{process.name} live at http://127.0.0.1:{port}/solr")
    first = running[0] if running else SOLR_PORTS[0]
    if not running:
        changed = upload_configuration(first)
    if collection_state(first):
        if changed:
            say(f"configuration uploaded, collection '{COLLECTION}' reloaded")
            api(first, "admin/collections", {"action": "RELOAD", "name": COLLECTION})
    else:
        say(
            f"creating collection '{COLLECTION}': {SHARDS} shards x {REPLICAS} replicas"
        )
        api(
            first,
            "admin/collections",
            {
                "action": "CREATE",
                "name": COLLECTION,
                "numShards": SHARDS,
                "replicationFactor": REPLICAS,
                "collection.configName": COLLECTION,
                "waitForFinalState": "true",
            },
        )
    wait_for("every replica active", lambda: healthy(first))
    show(first)
    say(
        f"ready in {time.monotonic() - started:.0f} s: http://127.0.0.1:{first}/solr/{COLLECTION}"
    )


def show(port: int) -> None:
    state = collection_state(port)
    if not state:
        say(f"no collection '{COLLECTION}'")
        return
    for shard, name, state_, leader in replicas(state):
        say(f"  {shard} on {name}: {state_}{' (leader)' if leader else ''}")


def status() -> int:
    down = 0
    zk = zookeeper()
    for process in [zk, *nodes()]:
        pid = process.pid()
        say(f"{process.name}: {f'running (pid {pid})' if pid else 'stopped'}")
        down += not pid
    for port in SOLR_PORTS:
        try:
            say(f"live nodes: {', '.join(sorted(live_nodes(port)))}")
            show(port)
            break
        except (OSError, urllib.error.URLError, KeyError):
            continue
    return 3 if down else 0


def stop() -> None:
    for process in [*nodes(), zookeeper()]:
        if process.pid():
            say(f"stopping {process.name}")
        process.stop()
    say("stopped")


def kill(number: int) -> None:
    process = node(number)
    if not process.pid():
        die(f"{process.name} is not running")
    process.stop(signal.SIGKILL, wait=10)
    say(f"{process.name} killed (SIGKILL); `cloud.py start` starts it again")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "status":
        return status()
    elif command == "kill" and len(argv) == 2 and argv[1].isdigit():
        kill(int(argv[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
