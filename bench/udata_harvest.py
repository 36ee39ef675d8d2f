"""Benchmark of the data.gouv.fr harvester (udata_harvester) on a large
organization.

    .dev/venv/bin/python bench/udata_harvest.py [--datasets 1000]
        [--page-size 100] [--changed 0.1] [--ckan-ini .dev/demo.ini] [--json]

A local server answers like data.gouv.fr's API v1: an organization (the
SIREN of Villard-de-Lans) with --datasets datasets of two resources each,
listed --page-size a page. In the portal of --ckan-ini (default the demo's,
set up by ``make demo`` or ``dev/demo.sh --no-serve``), a harvest source of
type ``udata`` owned by the EPCI runs three jobs stage by stage in one
process (no queue), as the workers would:

1. first harvest: every dataset created;
2. the source unchanged: nothing written;
3. --changed of the datasets with a new title and checksum: those updated.

Then the source is cleared (its datasets deleted and purged) and removed, so
the demo portal is left as it was. Prints a table (or JSON with --json);
bench/RESULTS.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parent.parent
SOURCE_NAME = "udata-bench"
ORG = {"id": "5b0000000000000000000001", "slug": "bench-villard", "name": "Villard"}
VILLARD_SIRET = "21380548400017"
EPCI_SIREN = "243801024"


def remote_dataset(number: int, version: int) -> dict[str, Any]:
    slug = f"bench-jeu-{number:05d}"
    return {
        "id": f"6b{number:022d}",
        "slug": slug,
        "title": f"Jeu de données {number} (v{version})",
        "description": f"Jeu de données de test numéro {number}.",
        "last_modified": "2024-05-02T09:30:00+00:00",
        "deleted": None,
        "private": False,
        "page": f"https://www.data.gouv.fr/fr/datasets/{slug}/",
        "license": "lov2" if number % 3 else "odc-odbl",
        "frequency": ("weekly", "monthly", "annual")[number % 3],
        "temporal_coverage": {"start": "2024-01-01", "end": "2024-12-31"},
        "spatial": {"zones": ["fr:commune:38548"], "granularity": "fr:commune"},
        "tags": ["bench", f"lot-{number % 10}"],
        "organization": ORG,
        "schema": None,
        "contact_points": [],
        "harvest": None,
        "metrics": {"views": number},
        "resources": [
            {
                "id": f"{number:08d}-0000-4000-8000-00000000000{kind}",
                "title": f"donnees-{number}.{fmt}",
                "type": "main",
                "format": fmt,
                "url": f"https://static.data.gouv.fr/{slug}/donnees.{fmt}",
                "checksum": {"type": "sha1", "value": f"{number * 10 + version:040x}"},
                "filesize": 1024 * number,
                "mime": "text/csv" if fmt == "csv" else "application/json",
                "last_modified": "2024-05-02T09:30:00+00:00",
            }
            for kind, fmt in ((1, "csv"), (2, "json"))
        ],
    }


class Organization:
    """What the server answers: the datasets, each at its version."""

    def __init__(self, count: int) -> None:
        self.versions = [1] * count
        self.requests = 0

    def page(self, number: int, size: int, base: str) -> dict[str, Any]:
        first = (number - 1) * size
        data = [
            remote_dataset(i, self.versions[i])
            for i in range(first, min(first + size, len(self.versions)))
        ]
        following = (
            f"{base}/api/1/organizations/{ORG['slug']}/datasets/"
            f"?page={number + 1}&page_size={size}"
            if first + size < len(self.versions)
            else None
        )
        return {
            "data": data,
            "page": number,
            "page_size": size,
            "total": len(self.versions),
            "next_page": following,
        }


def serve(organization: Organization) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            organization.requests += 1
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path == f"/api/1/organizations/{ORG['id']}/":
                body = {**ORG, "business_number_id": VILLARD_SIRET}
            elif parts.path == f"/api/1/organizations/{ORG['slug']}/datasets/":
                body = organization.page(
                    int(query["page"][0]), int(query["page_size"][0]), base_url
                )
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base_url


def bench(ini: str, count: int, page_size: int, changed: float) -> dict[str, Any]:
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(ini).get_config())
    organization = Organization(count)
    server, base_url = serve(organization)
    try:
        with app._wsgi_app.test_request_context():
            return _runs(organization, base_url, page_size, changed)
    finally:
        server.shutdown()


def _runs(
    organization: Organization, base_url: str, page_size: int, changed: float
) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject

    from ckanext.opendata_territoire.datagouv.harvester import UdataHarvester
    from ckanext.opendata_territoire.territory.roles import organization_by_siren

    tk.config["ckanext.territoire.datagouv_url"] = base_url
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    _remove_source(context)
    epci = organization_by_siren(EPCI_SIREN)
    if epci is None or organization_by_siren(VILLARD_SIRET[:9]) is None:
        raise SystemExit("the portal has no CCMV territory: run make demo first")
    source = tk.get_action("harvest_source_create")(
        dict(context),
        {
            "name": SOURCE_NAME,
            "title": "udata bench",
            "url": f"{base_url}/fr/organizations/{ORG['slug']}/",
            "source_type": "udata",
            "owner_org": epci.name,
            "config": json.dumps({"page_size": page_size}),
        },
    )
    runs = []
    try:
        for label in ("first harvest", "unchanged", "changed"):
            if label == "changed":
                step = max(1, round(1 / changed)) if changed else 0
                for i in range(0, len(organization.versions), step or 1):
                    organization.versions[i] = 2
            job_dict = tk.get_action("harvest_job_create")(
                dict(context), {"source_id": source["id"], "run": False}
            )
            job = HarvestJob.get(job_dict["id"])
            job.status = "Running"
            job.save()
            harvester = UdataHarvester()
            requests_before = organization.requests
            started = time.perf_counter()
            ids = queue.gather_stage(harvester, job) or []
            gathered = time.perf_counter()
            statuses: dict[str, int] = {}
            for number, obj_id in enumerate(ids, start=1):
                obj = HarvestObject.get(obj_id)
                queue.fetch_and_import_stages(harvester, obj)
                statuses[obj.report_status] = statuses.get(obj.report_status, 0) + 1
                if number % 100 == 0:
                    print(f"  {label}: {number}/{len(ids)} imported", file=sys.stderr)
            finished = time.perf_counter()
            tk.get_action("harvest_jobs_run")(
                dict(context), {"source_id": source["id"]}
            )
            errors = HarvestGatherError.filter(harvest_job_id=job.id).all()
            run = {
                "run": label,
                "seconds": round(finished - started, 2),
                "gather_seconds": round(gathered - started, 2),
                "import_seconds": round(finished - gathered, 2),
                "requests": organization.requests - requests_before,
                "objects": statuses,
                "gather_errors": [e.message for e in errors],
            }
            print(f"  {label}: {json.dumps(run)}", file=sys.stderr)
            runs.append(run)
        harvested = (
            model.Session.query(model.Package.id)
            .join(HarvestObject, HarvestObject.package_id == model.Package.id)
            .filter(HarvestObject.harvest_source_id == source["id"])
            .filter(model.Package.state == "active")
            .distinct()
            .count()
        )
    finally:
        _remove_source(context)
    return {"datasets": len(organization.versions), "active": harvested, "runs": runs}


def _remove_source(context: dict[str, Any]) -> None:
    import ckan.plugins.toolkit as tk

    try:
        old = tk.get_action("harvest_source_show")(dict(context), {"id": SOURCE_NAME})
    except tk.ObjectNotFound:
        return
    # Clearing deletes the source's datasets from the database and the index.
    tk.get_action("harvest_source_clear")(dict(context), {"id": old["id"]})
    tk.get_action("dataset_purge")(dict(context), {"id": old["id"]})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--changed", type=float, default=0.1)
    parser.add_argument("--ckan-ini", default=str(REPO / ".dev" / "demo.ini"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    result = bench(args.ckan_ini, args.datasets, args.page_size, args.changed)
    result["commit"] = commit
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"udata harvest of {result['datasets']} datasets (commit {commit})")
    print(f"{'run':<15} {'seconds':>8} {'gather':>8} {'import':>8} {'/s':>7}  objects")
    for run in result["runs"]:
        count = sum(run["objects"].values())
        rate = count / run["import_seconds"] if run["import_seconds"] else 0
        print(
            f"{run['run']:<15} {run['seconds']:>8} {run['gather_seconds']:>8} "
            f"{run['import_seconds']:>8} {rate:>7.1f}  {run['objects']}"
        )
    print(f"active harvested datasets at the end: {result['active']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
