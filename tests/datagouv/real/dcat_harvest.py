"""data.gouv.fr's own DCAT harvester run over a catalogue: udata's
``DcatBackend`` (the PyPI package ``udata``, its models on an in-memory
MongoDB by ``mongomock``), exactly as data.gouv.fr runs a source of type
DCAT, then what it created, as JSON on stdout.

Runs in the side virtualenv where ``udata`` is installed (``.dev/udata-venv``,
made by dev/setup.sh from requirements-udata.lock), never in CKAN's::

    .dev/udata-venv/bin/python tests/datagouv/real/dcat_harvest.py URL \\
        --licences tests/datagouv/fixtures/datagouv_licenses.json \\
        --schemas tests/quality/fixtures/schemas.json

``--licences``: data.gouv.fr's licence list (its ``/api/1/datasets/licenses/``)
loaded into udata's ``License`` collection, which ``License.guess`` reads.
``--schemas``: schema.data.gouv.fr's ``schemas.json`` (``{base_url}`` is
replaced by https://schema.data.gouv.fr), served on a loopback port as
udata's ``SCHEMA_CATALOG_URL``.

The output: ``{"job": {"status", "errors"}, "items": [{"remote_id",
"status", "errors"}], "datasets": [...]}``, each dataset as udata stored it
(title, frequency, temporal coverage, spatial geometry and zones, licence,
schema, contact points, resources with checksum and schema).
"""

from __future__ import annotations

import argparse
import http.server
import json
import logging
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from udata_app import load_licences, make_app


def serve(body: bytes) -> str:
    """``body`` served on a free loopback port (for SCHEMA_CATALOG_URL)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/schemas.json"


def text(value: Any) -> Any:
    return None if value is None else str(value)


def dataset_json(dataset: Any) -> dict[str, Any]:
    temporal = dataset.temporal_coverage
    spatial = dataset.spatial
    schema = dataset.schema
    return {
        "remote_id": dataset.harvest.remote_id if dataset.harvest else None,
        "title": dataset.title,
        "frequency": text(dataset.frequency),
        "temporal": ([text(temporal.start), text(temporal.end)] if temporal else None),
        "spatial": (
            {
                "geom": spatial.geom,
                "zones": [str(zone.id) for zone in spatial.zones or []],
                "granularity": spatial.granularity,
            }
            if spatial
            else None
        ),
        "license": dataset.license.id if dataset.license else None,
        "schema": schema.to_dict() if schema else None,
        "contact_points": [
            {"role": c.role, "name": c.name, "email": c.email}
            for c in dataset.contact_points or []
        ],
        "tags": sorted(dataset.tags or []),
        "resources": [
            {
                "title": r.title,
                "url": r.url,
                "format": r.format,
                "checksum": (
                    {"type": r.checksum.type, "value": r.checksum.value}
                    if r.checksum
                    else None
                ),
                "schema": r.schema.to_dict() if r.schema else None,
            }
            for r in dataset.resources
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the catalogue's URL (/catalog.ttl...)")
    parser.add_argument("--licences", type=Path, required=True)
    parser.add_argument("--schemas", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    catalogue = args.schemas.read_text().replace(
        "{base_url}", "https://schema.data.gouv.fr"
    )
    with tempfile.TemporaryDirectory() as storage:
        app = make_app(
            storage,
            SCHEMA_CATALOG_URL=serve(catalogue.encode()),
            HARVESTER_BACKENDS=["dcat"],
            SERVER_NAME="www.data.gouv.fr",
        )
        for name in ("resources", "avatars", "logos", "images", "chunks", "harvest"):
            app.config[f"{name.upper()}_FS_BACKEND"] = "local"
        from udata.core import storages

        storages.init_app(app)
        with app.app_context():
            from udata.core.dataset.models import Dataset
            from udata.core.organization.models import Organization
            from udata.harvest.backends.dcat import DcatBackend
            from udata.harvest.models import HarvestSource

            load_licences(args.licences)
            # On data.gouv.fr a source belongs to an organization; without
            # an owner udata reads no contact point.
            owner = Organization.objects.create(
                name="Territoire", description="Le territoire moissonné."
            )
            source = HarvestSource.objects.create(
                name="territoire", url=args.url, backend="dcat", organization=owner
            )
            job = DcatBackend(source).harvest()
            report = {
                "job": {
                    "status": job.status,
                    "errors": [e.message for e in job.errors],
                },
                "items": [
                    {
                        "remote_id": item.remote_id,
                        "status": item.status,
                        "errors": [e.message for e in item.errors],
                    }
                    for item in job.items
                ],
                "datasets": [dataset_json(d) for d in Dataset.objects],
            }
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
