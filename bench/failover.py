"""Failover drill of the scale-out topology (`make cloud`): under load, one
Solr node and one web instance are killed while a DECP harvest runs.

    SERVE_CACHE_SECONDS=0 SERVE_PRIVATE_ADDRESSES=127.0.0.1 make cloud
    .dev/venv/bin/python bench/failover.py [--clients 8] [--duration 90]
        [--kill-at 20] [--restart-after 40] [--contracts 3000] [--json]

What it does, in order:

1. Reads what is published: the datasets (PostgreSQL), the documents of
   the search index (the collection, through nginx's Solr proxy) and every
   contract (the uid of each row of each buyer's DataStore table).
2. Makes a national DECP file with the shared generator
   (../shared/tools/gen_decp.py, a new seed: contracts the catalogue does
   not have; `--stats` gives how many belong to each of the territory's
   buyers), serves it on loopback and creates a DECP harvest source on it
   owned by the EPCI, then starts its job: the gather and the two fetch
   consumers of the topology do the work.
3. Loads the portal (clients as in bench/load.py: pages and API calls of a
   visitor and a reuser), anonymous, for --duration seconds, while an
   editor saves a dataset twice a second (a write to the database and the
   index, through the API with the admin's token). At --kill-at
   it kills (SIGKILL) the Solr node that leads the shards (the worst one to
   lose: every update must wait for a new leader) and one uwsgi instance
   (its master and workers; supervisor starts it again, as a container
   orchestrator would). The node is started again --restart-after seconds
   later (`dev/solr/cloud.py start`) and must catch up.
4. Waits for the harvest job to finish (running `ckan harvester run`, which
   closes finished jobs), then checks that nothing is lost: every dataset
   and contract read in 1. is still there, the search index holds exactly
   the database's datasets, every replica of every shard the same number of
   documents, and each buyer's table holds each of the file's contracts
   once (its uid once; as many of the file's contract ids as the generator
   counted).

It prints the error window of the reads and of the writes (first and last
failed request after the kill, their kinds, the errors per second), and
the checks; exit
code 1 when a check fails (errors during the window are what is measured,
not a failure). Figures recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from load import discover_targets  # noqa: E402

DEV_DIR = Path(os.environ.get("DEV_DIR") or REPO / ".dev")
GENERATOR = REPO.parent / "shared" / "tools" / "gen_decp.py"
CKAN = DEV_DIR / "venv" / "bin" / "ckan"
SUPERVISORCTL = [
    str(DEV_DIR / "venv" / "bin" / "supervisorctl"),
    "-c",
    str(DEV_DIR / "run" / "serve" / "supervisord.conf"),
]
EPCI = "cc-du-massif-du-vercors"


def say(message: str) -> None:
    print(f"[failover] {message}", flush=True)


# What is published


def settings(ini: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ini)
    return parser["app:main"]


def published(app: configparser.SectionProxy) -> dict[str, Any]:
    """Datasets and harvest sources (id -> state and type; both are in the
    search index), and each buyer's contract uids."""
    catalogue = sa.create_engine(app["sqlalchemy.url"])
    store = sa.create_engine(app["ckan.datastore.write_url"])
    with catalogue.connect() as db:
        datasets = {
            row.id: (row.state, row.type)
            for row in db.execute(sa.text("SELECT id, state, type FROM package"))
        }
        tables = {
            row.siren: row.resource_id
            for row in db.execute(
                sa.text(
                    "SELECT e.value AS siren, r.id AS resource_id FROM package_extra e "
                    "JOIN package p ON p.id = e.package_id "
                    "AND p.state IN ('active', 'draft') "
                    "JOIN resource r ON r.package_id = p.id AND r.state = 'active' "
                    "AND r.url_type = 'datastore' "
                    "WHERE e.key = 'decp_buyer_siren'"
                )
            )
        }
    contracts: dict[str, list[str]] = {}
    with store.connect() as db:
        for siren, table in tables.items():
            rows = db.execute(sa.text(f'SELECT uid FROM "{table}"'))
            contracts[siren] = [row.uid for row in rows]
    catalogue.dispose()
    store.dispose()
    return {"datasets": datasets, "contracts": contracts}


def solr_counts(solr_url: str, site_id: str) -> dict[str, Any]:
    """Documents of the site in the collection, and in each replica."""
    select = f"{solr_url}/select"
    params = {"q": "*:*", "fq": f"+site_id:{site_id}", "rows": 0, "wt": "json"}
    total = requests.get(select, params=params, timeout=30).json()["response"][
        "numFound"
    ]
    base = solr_url.rsplit("/solr/", 1)[0]
    status = requests.get(
        f"{base}/solr/admin/collections",
        params={"action": "CLUSTERSTATUS", "wt": "json"},
        timeout=30,
    ).json()
    replicas = {}
    for shard, data in status["cluster"]["collections"]["ckan"]["shards"].items():
        for replica in data["replicas"].values():
            core_url = f"{replica['base_url']}/{replica['core']}/select"
            try:
                count = requests.get(
                    core_url, params={**params, "distrib": "false"}, timeout=30
                ).json()["response"]["numFound"]
            except (requests.RequestException, ValueError, KeyError):
                count = None
            replicas[f"{shard} {replica['node_name']} ({replica['state']})"] = count
    return {"total": total, "replicas": replicas}


# The harvest


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_file(path: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(path.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/{path.name}"


def generate(contracts: int, seed: int, out: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--format",
            "2022",
            "--contracts",
            str(contracts),
            "--ccmv-share",
            "0.3",
            "--seed",
            str(seed),
            "-o",
            str(out),
            "--stats",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(result.stderr[result.stderr.index("{") :])
    by_siren: Counter[str] = Counter()
    for siret, count in stats["ccmv_contracts_by_buyer_siret"].items():
        by_siren[siret[:9]] += count
    # The contracts' uids (the buyer's SIRET and the contract's id, as
    # decp-processing and the portal's tables name a contract).
    uids: dict[str, set[str]] = {}
    data = json.loads(out.read_text(encoding="utf-8"))
    for marche in data["marches"]["marche"]:
        siret = str((marche.get("acheteur") or {}).get("id", ""))
        if siret[:9] in by_siren:
            uids.setdefault(siret[:9], set()).add(siret + str(marche["id"]))
    return {"by_siren": dict(by_siren), "uids": uids}


def api_token(ini: Path) -> str:
    output = subprocess.run(
        [str(CKAN), "-c", str(ini), "user", "token", "add", "admin", "failover-bench"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return output.strip().splitlines()[-1].strip()


def start_harvest(base_url: str, token: str, file_url: str) -> str:
    headers = {"Authorization": token}
    action = f"{base_url}/api/3/action"
    name = f"failover-{int(time.time())}"
    source = requests.post(
        f"{action}/harvest_source_create",
        json={
            "name": name,
            "title": f"Exercice de bascule {name}",
            "url": file_url,
            "source_type": "decp",
            "owner_org": EPCI,
            "frequency": "MANUAL",
            "config": "{}",
        },
        headers=headers,
        timeout=60,
    ).json()
    if not source.get("success"):
        raise SystemExit(f"harvest_source_create: {source.get('error')}")
    job = requests.post(
        f"{action}/harvest_job_create",
        json={"source_id": source["result"]["id"], "run": True},
        headers=headers,
        timeout=60,
    ).json()
    if not job.get("success"):
        raise SystemExit(f"harvest_job_create: {job.get('error')}")
    return str(source["result"]["id"])


def harvest_status(base_url: str, token: str, source_id: str) -> dict[str, Any]:
    result = requests.get(
        f"{base_url}/api/3/action/harvest_source_show_status",
        params={"id": source_id},
        headers={"Authorization": token},
        timeout=60,
    ).json()
    return dict(result.get("result") or {})


# The load and the kills


class Load:
    def __init__(self, base_url: str, clients: int, token: str):
        self.base_url = base_url
        self.targets = discover_targets(base_url)
        self.clients = clients
        self.token = token
        self.records: list[tuple[float, str, float, str | None]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def record(self, kind: str, send: Callable[[], requests.Response]) -> float:
        """Sends one request, records when, how long and its error (an HTTP
        status of 400 or more, or no answer); gives when it started."""
        started = time.monotonic()
        try:
            status = send().status_code
            error = f"HTTP {status}" if status >= 400 else None
        except requests.RequestException as exc:
            error = type(exc).__name__
        with self.lock:
            self.records.append((started, kind, time.monotonic() - started, error))
        return started

    def client(self, number: int) -> None:
        session = requests.Session()
        turn = number
        while not self.stop.is_set():
            target = self.targets[turn % len(self.targets)]
            turn += self.clients
            url = self.base_url + target.path
            self.record(target.kind, lambda url=url: session.get(url, timeout=60))

    def writer(self) -> None:
        """An editor saving a dataset twice a second (its description
        unchanged: every save is written to the database and the index)."""
        session = requests.Session()
        session.headers["Authorization"] = self.token
        action = f"{self.base_url}/api/3/action"
        found = session.get(f"{action}/package_search", params={"rows": 1}, timeout=60)
        dataset = found.json()["result"]["results"][0]
        patch = {"id": dataset["id"], "notes": dataset["notes"]}
        while not self.stop.is_set():
            started = self.record(
                "write package_patch",
                lambda: session.post(f"{action}/package_patch", json=patch, timeout=60),
            )
            time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self.client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        threads.append(threading.Thread(target=self.writer, daemon=True))
        for thread in threads:
            thread.start()
        return threads


def leader_node(solr_url: str) -> int:
    """The number (1, 2) of the node that leads the most shards."""
    base = solr_url.rsplit("/solr/", 1)[0]
    status = requests.get(
        f"{base}/solr/admin/collections",
        params={"action": "CLUSTERSTATUS", "wt": "json"},
        timeout=30,
    ).json()
    leaders: Counter[str] = Counter()
    for data in status["cluster"]["collections"]["ckan"]["shards"].values():
        for replica in data["replicas"].values():
            if replica.get("leader") == "true":
                leaders[replica["node_name"]] += 1
    node = leaders.most_common(1)[0][0]  # 127.0.0.1:8985_solr
    ports = os.environ.get("CLOUD_SOLR_PORTS", "8985 8986").split()
    return ports.index(node.split(":")[1].split("_")[0]) + 1


def kill_web_instance(number: int) -> int:
    pid = int(
        subprocess.run(
            [*SUPERVISORCTL, "pid", f"web:web-{number}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The uwsgi master and its workers, as a crashed container loses them.
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for victim in [pid, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
    return pid


def cloud(command: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "dev" / "solr" / "cloud.py"), command, *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


# The report


def windows(records, kill_time: float) -> dict[str, Any]:
    """The error window of the reads (pages, API) and of the writes."""
    reads = [r for r in records if not r[1].startswith("write")]
    writes = [r for r in records if r[1].startswith("write")]
    return {"reads": window(reads, kill_time), "writes": window(writes, kill_time)}


def window(records, kill_time: float) -> dict[str, Any]:
    after = [r for r in records if r[0] >= kill_time - 1]
    failed = [r for r in after if r[3]]
    per_second: Counter[int] = Counter()
    requests_per_second: Counter[int] = Counter()
    for started, _, _, error in after:
        second = int(started - kill_time)
        requests_per_second[second] += 1
        if error:
            per_second[second] += 1
    before = [r for r in records if r[0] < kill_time - 1]
    return {
        "requests_before_kill": len(before),
        "errors_before_kill": sum(1 for r in before if r[3]),
        "requests_after_kill": len(after),
        "errors_after_kill": len(failed),
        "first_error_s": round(failed[0][0] - kill_time, 2) if failed else None,
        "last_error_s": round(failed[-1][0] - kill_time, 2) if failed else None,
        "window_s": round(failed[-1][0] - failed[0][0], 2) if failed else 0.0,
        # The slowest answers after the kill: a request that waited for a
        # new leader instead of failing.
        "slowest_after_kill_s": sorted(round(r[2], 2) for r in after)[-3:],
        "error_kinds": dict(Counter(f"{r[1]}: {r[3]}" for r in failed).most_common()),
        "errors_per_second": {
            s: f"{per_second[s]}/{requests_per_second[s]}"
            for s in sorted(requests_per_second)
            if per_second[s]
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--ini", type=Path, default=DEV_DIR / "serve.ini")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=90)
    parser.add_argument("--kill-at", type=float, default=20)
    parser.add_argument("--restart-after", type=float, default=40)
    parser.add_argument("--contracts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--web-instance", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    base_url = args.url.rstrip("/")
    app = settings(args.ini)
    solr_url = app["solr_url"]
    site_id = app.get("ckan.site_id", "default")
    start = "SERVE_CACHE_SECONDS=0 SERVE_PRIVATE_ADDRESSES=127.0.0.1 make cloud"
    if not (DEV_DIR / "run" / "serve" / "nginx-solr.conf").exists():
        raise SystemExit(f"the portal is not on SolrCloud: start it with `{start}`")
    if "127.0.0.1" not in app.get("ckanext.territoire.private_addresses_allowed", ""):
        raise SystemExit(
            f"the portal may not harvest 127.0.0.1: start it with `{start}`"
        )

    before = published(app)
    datasets = sum(1 for _, kind in before["datasets"].values() if kind == "dataset")
    say(
        f"before: {datasets} datasets, "
        f"{sum(len(c) for c in before['contracts'].values())} contracts, "
        f"index {solr_counts(solr_url, site_id)['total']} documents"
    )
    work = DEV_DIR / "bench-failover"
    work.mkdir(parents=True, exist_ok=True)
    national = work / f"decp-{args.seed}.json"
    expected = generate(args.contracts, args.seed, national)
    server, file_url = serve_file(national)
    token = api_token(args.ini)
    say(
        f"harvesting {file_url} (seed {args.seed}: "
        f"{sum(expected['by_siren'].values())} contracts of the territory's buyers)"
    )

    load = Load(base_url, args.clients, token)
    started = time.monotonic()
    threads = load.start()
    source_id = start_harvest(base_url, token, file_url)
    subprocess.run(
        [str(CKAN), "-c", str(args.ini), "harvester", "run"],
        capture_output=True,
        check=False,
    )
    time.sleep(max(0.0, args.kill_at - (time.monotonic() - started)))
    node = leader_node(solr_url)
    kill_time = time.monotonic()
    cloud("kill", str(node))
    pid = kill_web_instance(args.web_instance)
    say(
        f"killed Solr node {node} (the shards' leader) and web instance "
        f"{args.web_instance} (uwsgi pid {pid})"
    )
    time.sleep(args.restart_after)
    restart = threading.Thread(target=cloud, args=("start",))
    restart.start()
    say(f"Solr node {node} starting again")
    time.sleep(max(0.0, args.duration - (time.monotonic() - started)))
    load.stop.set()
    for thread in threads:
        thread.join()
    restart.join()

    # The harvest finishes: `harvester run` closes the job once its objects are done.
    deadline = time.monotonic() + 900
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        subprocess.run(
            [str(CKAN), "-c", str(args.ini), "harvester", "run"],
            capture_output=True,
            check=False,
        )
        status = harvest_status(base_url, token, source_id)
        if (status.get("last_job") or {}).get("status") == "Finished":
            break
        time.sleep(5)
    server.shutdown()
    after = published(app)
    index = solr_counts(solr_url, site_id)

    checks: dict[str, bool] = {}
    lost = [
        d
        for d, (state, _) in before["datasets"].items()
        if state == "active" and after["datasets"].get(d, ("gone",))[0] != "active"
    ]
    checks["no dataset lost"] = not lost
    checks["no contract lost"] = all(
        set(uids) <= set(after["contracts"].get(siren, []))
        for siren, uids in before["contracts"].items()
    )
    active = [d for d, (state, _) in after["datasets"].items() if state == "active"]
    checks["index holds exactly the active datasets and sources"] = index[
        "total"
    ] == len(active)
    shards: dict[str, set[int | None]] = {}
    for replica, count in index["replicas"].items():
        shards.setdefault(replica.split()[0], set()).add(count)
    checks["each shard's replicas hold the same documents"] = all(
        len(counts) == 1 and None not in counts for counts in shards.values()
    )
    job = status.get("last_job") or {}
    checks["harvest job finished"] = job.get("status") == "Finished"
    each_once = {}
    for siren, count in sorted(expected["by_siren"].items()):
        rows = after["contracts"].get(siren, [])
        uids = rows
        file_uids = expected["uids"].get(siren, set())
        harvested = sum(1 for uid in uids if uid in file_uids)
        each_once[siren] = {
            "expected": count,
            "in_file": len(file_uids),
            "in_table": harvested,
            "rows": len(rows),
            "distinct_uids": len(set(uids)),
        }
    published_sirens = {s for s in each_once if s in after["contracts"]}
    checks["each harvested contract once"] = bool(published_sirens) and all(
        v["in_table"] == v["expected"] == v["in_file"]
        and v["rows"] == v["distinct_uids"]
        for s, v in each_once.items()
        if s in published_sirens
    )
    result = {
        "clients": args.clients,
        "duration_s": args.duration,
        "killed": {"solr_node": node, "web_instance": args.web_instance},
        "windows": windows(load.records, kill_time),
        "harvest": {
            "job": {k: job.get(k) for k in ("status", "stats")},
            "buyers": each_once,
        },
        "index": index,
        "datasets_before": sum(
            1 for s, _ in before["datasets"].values() if s == "active"
        ),
        "datasets_after": sum(
            1 for s, _ in after["datasets"].values() if s == "active"
        ),
        "checks": checks,
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        for what, w in result["windows"].items():
            say(
                f"{what}: {w['requests_before_kill']} before the kill "
                f"({w['errors_before_kill']} errors), "
                f"{w['requests_after_kill']} after ({w['errors_after_kill']} errors); "
                f"error window {w['window_s']} s (first {w['first_error_s']} s, "
                f"last {w['last_error_s']} s after the kill); slowest answers "
                f"after the kill {w['slowest_after_kill_s']} s"
            )
            for kind, count in w["error_kinds"].items():
                say(f"  {count} x {kind}")
            if w["errors_per_second"]:
                say(f"  errors per second after the kill: {w['errors_per_second']}")
        say(f"harvest: {json.dumps(result['harvest'], ensure_ascii=False)}")
        say(f"index: {index['total']} documents; replicas {index['replicas']}")
        for name, ok in checks.items():
            say(f"check: {name}: {'ok' if ok else 'FAILED'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
