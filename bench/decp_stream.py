"""Benchmark of the DECP territory filter and harvest on a large national file.

    .dev/venv/bin/python bench/decp_stream.py [--size-mb 1024] [--file PATH]
        [--layout json-2022] [--pretty] [--keep] [--repeat 1]
        [--ckan-ini .dev/demo.ini] [--no-harvest] [--tabular-contracts 1500000]
        [--json]

1. Makes a national file (2022 format unless --layout, compact unless
   --pretty, 5 % of dirty contracts, 0.2 % of them bought by the CCMV) with
   the project's generator (ckanext/opendata_territoire/decp/generator.py)
   in a temporary folder under /tmp (or reads --file), deleted at the end
   unless --keep.
2. Reads it four ways, each in its own process so that its peak RSS
   (VmHWM) is its own: ``json.load`` of the whole file; a bare
   ``ijson.items(f, "marches.marche.item")`` pass (``marches.item`` in the
   2019 layout; yajl2_c, default options);
   our territory filter (``decp.read_contracts`` keeping the CCMV's seven
   SIRENs: the bytes searched by decp/prefilter.py, the records around a hit
   parsed, then filter, clean, deduplicate); the same filter with the
   pre-filter off (every record parsed with ijson, as before it). MB/s =
   file size / wall time; the modules a reading needs are imported before
   its clock starts (the decp package's imports take 0.2 to 0.4 s, pyarrow
   and Flask among them), and their RSS is given apart. The filters' kept
   counts are checked against the generator's; the filter's speed is given
   as a multiple of the bare ijson pass's (target: 5 or more).
3. Harvests it for the CCMV into the portal of --ckan-ini (default the
   demo's, set up by ``make demo`` or ``dev/demo.sh --no-serve``): a local
   server answers like data.gouv.fr (one resource, its SHA-1), a harvest
   source of type ``decp`` is made, and two harvest jobs run stage by stage
   in one process (no queue): the first on fresh procurement datasets (the
   portal's are purged first), the second with the file unchanged. Then
   ``ckan territoire decp import`` of the same file, every contract
   unchanged (the file is read again).
4. Unless --tabular-contracts 0, makes a national Parquet file of the
   tabular consolidation (1.5 million contracts by default) and reads it for
   the CCMV from the disk and from a local HTTP server answering ``Range``
   (bench/decp_tabular.py: seconds, bytes read or fetched, requests, peak
   RSS, counts checked).

Prints a table (or JSON with --json); bench/RESULTS.md records the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CKAN = Path(sys.executable).parent / "ckan"
# The CCMV (EPCI) and its six communes, as in the territory reference data.
CCMV_SIRENS = (
    "243801024",
    "213805484",
    "200056224",
    "213802051",
    "213804339",
    "213801533",
    "213801293",
)
SOURCE_NAME = "decp-bench"


# The three ways of reading, each run in a child process.


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _is_2019(path: str) -> bool:
    """Whether the file is in the 2019 layout (a list under "marches")."""
    with open(path, "rb") as fp:
        return re.search(rb'"marches"\s*:\s*\[', fp.read(4096)) is not None


def read_json_load(path: str) -> int:
    with open(path, "rb") as fp:
        marches = json.load(fp)["marches"]
    return len(marches if isinstance(marches, list) else marches["marche"])


def read_ijson_items(path: str) -> int:
    import ijson

    prefix = "marches.item" if _is_2019(path) else "marches.marche.item"
    count = 0
    with open(path, "rb") as fp:
        for _item in ijson.items(fp, prefix):
            count += 1
    return count


# What the pre-filter did in the filter's run: took the file or not, how
# many records it parsed to tell them apart.
DETAILS: dict[str, Any] = {}


def read_territory(path: str, prefiltered: bool = True) -> int:
    from ckanext.opendata_territoire import decp
    from ckanext.opendata_territoire.decp import prefilter

    scan = prefilter.scan

    def noted(*args: Any, **kwargs: Any) -> Any:
        found = scan(*args, **kwargs)
        DETAILS["prefiltered"] = found is not None
        DETAILS["parsed"] = found.parsed if found is not None else None
        return found

    prefilter.scan = noted  # type: ignore[assignment]
    if not prefiltered:
        prefilter.MIN_SIZE = 1 << 62
    buyers = decp.BuyerFilter.of(CCMV_SIRENS)
    with open(path, "rb") as fp:
        return sum(1 for _contract in decp.read_contracts(fp, buyers))


def read_territory_full(path: str) -> int:
    return read_territory(path, prefiltered=False)


READERS = {
    "json.load": read_json_load,
    "ijson.items": read_ijson_items,
    "territory filter": read_territory,
    "filter, full parse": read_territory_full,
}
FILTERS = ("territory filter", "filter, full parse")
# Imported before a reading's clock starts.
IMPORTS = {
    "ijson.items": ("ijson",),
    "territory filter": (
        "ckanext.opendata_territoire.decp",
        "ckanext.opendata_territoire.decp.prefilter",
    ),
}
IMPORTS["filter, full parse"] = IMPORTS["territory filter"]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure_child(method: str, path: str) -> None:
    for module in IMPORTS.get(method, ()):
        importlib.import_module(module)
    imported = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    count = READERS[method](path)
    print(
        json.dumps(
            {
                "method": method,
                "count": count,
                "seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu,
                "peak_rss_mb": _peak_rss_mb(),
                "rss_after_imports_mb": imported,
                **DETAILS,
            }
        )
    )


def measure(method: str, path: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", method, path],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# A local server that answers like data.gouv.fr for one dataset.


def serve(path: str, checksum: str) -> tuple[ThreadingHTTPServer, str]:
    size = os.path.getsize(path)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path.startswith(f"/api/2/datasets/{SOURCE_NAME}/resources/"):
                body = json.dumps(
                    {
                        "data": [
                            {
                                "id": "bench-resource",
                                "title": "decp-national.json",
                                "format": "json",
                                "url": f"{base}/files/decp-national.json",
                                "latest": f"{base}/files/decp-national.json",
                                "checksum": {"type": "sha1", "value": checksum},
                                "filesize": size,
                            }
                        ],
                        "next_page": None,
                    }
                ).encode()
                self._send(body, "application/json")
            elif self.path == "/files/decp-national.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                with open(path, "rb") as source:
                    shutil.copyfileobj(source, self.wfile, 1 << 20)
            else:
                self._send(b"", "text/plain", 404)

        def _send(self, body: bytes, kind: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def harvest_child(ini: str, base_url: str) -> None:
    """Runs in the portal's configuration: purges the procurement datasets,
    makes the harvest source, runs two jobs; prints their figures as JSON."""
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(ini).get_config())
    with app._wsgi_app.test_request_context():
        print(json.dumps(_harvest_twice(base_url)))


def _harvest_twice(base_url: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject

    from ckanext.opendata_territoire.decp.harvester import DecpHarvester

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    for (name,) in (
        model.Session.query(model.Package.name)
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .filter(model.PackageExtra.key == "decp_buyer_siren")
        .all()
    ):
        tk.get_action("dataset_purge")(dict(context), {"id": name})
    try:
        old = tk.get_action("harvest_source_show")(dict(context), {"id": SOURCE_NAME})
        tk.get_action("harvest_source_clear")(dict(context), {"id": old["id"]})
        tk.get_action("dataset_purge")(dict(context), {"id": old["id"]})
    except tk.ObjectNotFound:
        pass
    owner = (
        model.Session.query(model.Group.name)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .first()
    )
    source = tk.get_action("harvest_source_create")(
        dict(context),
        {
            "name": SOURCE_NAME,
            "title": "DECP bench",
            "url": f"{base_url}/fr/datasets/{SOURCE_NAME}/",
            "source_type": "decp",
            "owner_org": owner[0] if owner else None,
        },
    )
    runs = []
    for _run in (1, 2):
        job_dict = tk.get_action("harvest_job_create")(
            dict(context), {"source_id": source["id"], "run": False}
        )
        job = HarvestJob.get(job_dict["id"])
        job.status = "Running"
        job.save()
        harvester = DecpHarvester()
        started = time.perf_counter()
        ids = queue.gather_stage(harvester, job) or []
        gathered = time.perf_counter()
        statuses: dict[str, str] = {}
        for obj_id in ids:
            obj = HarvestObject.get(obj_id)
            queue.fetch_and_import_stages(harvester, obj)
            statuses[obj.guid] = obj.report_status
        finished = time.perf_counter()
        tk.get_action("harvest_jobs_run")(dict(context), {"source_id": source["id"]})
        runs.append(
            {
                "seconds": finished - started,
                "gather_seconds": gathered - started,
                "import_seconds": finished - gathered,
                "objects": statuses,
                "gather_errors": [
                    e.message
                    for e in HarvestGatherError.filter(harvest_job_id=job.id).all()
                ],
            }
        )
    rows = 0
    for (package_id,) in (
        model.Session.query(model.PackageExtra.package_id)
        .filter(model.PackageExtra.key == "decp_buyer_siren")
        .all()
    ):
        dataset = tk.get_action("package_show")(dict(context), {"id": package_id})
        for resource in dataset["resources"]:
            if resource.get("datastore_active"):
                rows += tk.get_action("datastore_search")(
                    dict(context), {"resource_id": resource["id"], "limit": 0}
                )["total"]
    return {"runs": runs, "rows": rows}


def harvest(ini: str, path: str) -> dict[str, Any]:
    checksum = hashlib.sha1()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            checksum.update(chunk)
    server, base_url = serve(path, checksum.hexdigest())
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--harvest-child", ini, base_url],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        server.shutdown()
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    started = time.perf_counter()
    imported = subprocess.run(
        [str(CKAN), "-c", ini, "territoire", "decp", "import", path, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    summary = json.loads(imported.stdout[imported.stdout.index("{") :])
    result["import_command"] = {
        "seconds": seconds,
        "seconds_read": summary["seconds_read"],
        "seconds_publish": summary["seconds_publish"],
        "unchanged": sum(b["unchanged"] for b in summary["buyers"]),
        "inserted": sum(b["inserted"] for b in summary["buyers"]),
        "updated": sum(b["updated"] for b in summary["buyers"]),
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=1024)
    parser.add_argument("--file", help="read this DECP file instead of generating one")
    parser.add_argument(
        "--layout", choices=("json-2022", "json-2019"), default="json-2022"
    )
    parser.add_argument("--pretty", action="store_true", help="indented JSON")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each reading")
    parser.add_argument("--ckan-ini", default=str(REPO / ".dev" / "demo.ini"))
    parser.add_argument("--no-harvest", action="store_true")
    parser.add_argument(
        "--tabular-contracts",
        type=int,
        default=1_500_000,
        help="contracts of the national Parquet file read after the JSON one "
        "(bench/decp_tabular.py: from the disk and by HTTP ranges); 0: none",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--harvest-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_child(*args.measure)
        return 0
    if args.harvest_child:
        harvest_child(*args.harvest_child)
        return 0

    folder = None
    stats: dict[str, Any] = {}
    if args.file:
        path = args.file
    else:
        from ckanext.opendata_territoire.decp.generator import Generator

        folder = tempfile.mkdtemp(prefix="decp-bench-", dir="/tmp")
        path = os.path.join(folder, "decp-national.json")
        started = time.perf_counter()
        say(f"generating a {args.size_mb:.0f} MB national file in {folder}")
        with open(path, "wb") as out:
            truth = Generator(
                args.layout,
                seed=681,
                dirty=0.05,
                territory_share=0.002,
                pretty=args.pretty,
            ).write(out, size=int(args.size_mb * 1024 * 1024))
        stats = truth.as_dict()
        stats["generation_seconds"] = time.perf_counter() - started
    try:
        size_mb = os.path.getsize(path) / 1024 / 1024
        results: dict[str, Any] = {"file_mb": size_mb, "generator": stats, "reads": {}}
        for _ in range(args.repeat):
            for method in READERS:
                say(f"reading with {method}")
                run = measure(method, path)
                run["mb_per_s"] = size_mb / run["seconds"]
                best = results["reads"].get(method)
                if best is None or run["seconds"] < best["seconds"]:
                    results["reads"][method] = run
        reads = results["reads"]
        results["filter_vs_ijson"] = (
            reads["ijson.items"]["seconds"] / reads["territory filter"]["seconds"]
        )
        if stats:
            results["filter_count_matches_generator"] = all(
                reads[name]["count"] == stats["territory_contracts"] for name in FILTERS
            )
        if not args.no_harvest:
            say(f"harvesting twice, then importing, in the portal of {args.ckan_ini}")
            results["harvest"] = harvest(args.ckan_ini, path)
    finally:
        if folder and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if args.tabular_contracts:
        results["tabular"] = _tabular(args.tabular_contracts)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    _print(results)
    return 0


def _tabular(contracts: int) -> dict[str, Any]:
    """The tabular consolidation's reading (bench/decp_tabular.py), in the
    same run."""
    sys.path.insert(0, str(REPO / "bench"))
    import decp_tabular

    folder = tempfile.mkdtemp(prefix="decp-tabular-", dir="/tmp")
    try:
        path = os.path.join(folder, "decp.parquet")
        say(f"generating a national Parquet file of {contracts:,} contracts")
        truth = decp_tabular.generate(path, contracts)
        say("reading it from the disk and by HTTP ranges")
        return {"generated": truth, "results": decp_tabular.run(path, truth)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def say(message: str) -> None:
    """Progress, on stderr so that --json stays clean."""
    print(f"[decp_stream] {message}", file=sys.stderr, flush=True)


def _print(results: dict[str, Any]) -> None:
    print(f"file: {results['file_mb']:.0f} MB")
    reads = results["reads"]
    bare = reads["ijson.items"]["seconds"]
    header = ("reading", "contracts", "s", "CPU s", "MB/s", "peak RSS MB", "vs ijson")
    print("{:<20}{:>10}{:>8}{:>8}{:>9}{:>13}{:>10}".format(*header))
    for method, run in reads.items():
        print(
            f"{method:<20}{run['count']:>10}{run['seconds']:>8.2f}"
            f"{run['cpu_seconds']:>8.2f}{run['mb_per_s']:>9.1f}"
            f"{run['peak_rss_mb']:>13.0f}{bare / run['seconds']:>9.2f}x"
        )
    run = reads["territory filter"]
    print(
        f"territory filter: {results['filter_vs_ijson']:.2f} times the bare"
        f" ijson.items pass (target: 5 or more); peak RSS {run['peak_rss_mb']:.0f}"
        f" MB (target: under 150), {run['rss_after_imports_mb']:.0f} MB of them"
        f" after its imports; pre-filter used: {run.get('prefiltered')},"
        f" records parsed: {run.get('parsed')}"
    )
    if "filter_count_matches_generator" in results:
        print(
            "filters' counts = generator's:"
            f" {results['filter_count_matches_generator']}"
        )
    if "harvest" in results:
        for number, run in enumerate(results["harvest"]["runs"], start=1):
            print(
                f"harvest {number}: {run['seconds']:.1f} s"
                f" (gather {run['gather_seconds']:.1f},"
                f" import {run['import_seconds']:.1f})"
                f" {run['objects']} {run['gather_errors']}"
            )
        print(f"rows in the tables: {results['harvest']['rows']}")
        print(f"import command, unchanged: {results['harvest']['import_command']}")
    if "tabular" in results:
        sys.path.insert(0, str(REPO / "bench"))
        import decp_tabular

        generated = results["tabular"]["generated"]
        print(
            f"tabular consolidation: {generated['contracts']:,} contracts, "
            f"{generated['rows']:,} rows, {generated['bytes'] / 1e6:,.1f} MB"
        )
        print(decp_tabular.table(results["tabular"]["results"]))


if __name__ == "__main__":
    sys.exit(main())
