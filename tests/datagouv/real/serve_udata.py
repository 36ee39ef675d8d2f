"""data.gouv.fr's own application, serving one organization to our harvester:
udata's ``create_app`` and ``standalone`` (its API v1 and v2, its models on an
in-memory MongoDB by ``mongomock``), on a loopback port. Runs in the side
virtualenv (.dev/udata-venv), never in CKAN's::

    .dev/udata-venv/bin/python tests/datagouv/real/serve_udata.py \\
        --licences tests/datagouv/fixtures/datagouv_licenses.json

Prints one line of JSON on stdout when it serves (``{"url", "organization",
"datasets": {title: id}}``), then serves until killed.

The organization "Commune de Villard-de-Lans" (SIREN 213805484) owns 27
datasets, read in three pages of 10 by the tests (``page_size``): 20 public
ones, each with licence, frequency, temporal coverage, zone, tags and a
hashed file; 2 private, 2 deleted, 2 archived ones and 1 whose coverage is
a geometry only. A 28th, public, belongs to a person (read through
``/api/1/datasets/<id>/``).

Test-only routes change what a nightly job of data.gouv.fr changes, through
udata's own models: ``POST /__test__/link-check`` (the link checker's
``check:*`` extras on every resource, as ``update_resource_extras`` writes
them), ``POST /__test__/metrics`` (views and followers), ``POST
/__test__/edit/<id>`` (a new title), ``POST /__test__/archive/<id>``.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from udata_app import load_licences, make_app

SIREN = "213805484"
PAGE = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed() -> dict[str, Any]:
    from udata.core.dataset.models import Checksum, Dataset, License, Resource
    from udata.core.organization.models import Organization
    from udata.core.spatial.models import GeoZone, SpatialCoverage
    from udata.core.user.models import User
    from udata.mongo.datetime_fields import DateRange

    org = Organization.objects.create(
        name="Commune de Villard-de-Lans",
        description="La commune.",
        business_number_id=SIREN,
    )
    zone = GeoZone.objects.create(
        id="fr:commune:38548",
        level="fr:commune",
        code="38548",
        name="Villard-de-Lans",
        slug="villard-de-lans",
    )
    lov2 = License.objects.get(id="lov2")
    made: dict[str, str] = {}

    def dataset(number: int, owner: Any = None, **extra: Any) -> Any:
        resource = Resource(
            title=f"donnees-{number}.csv",
            description="Le fichier",
            url=f"https://www.villard-de-lans.fr/donnees-{number}.csv",
            filetype="remote",
            type="main",
            format="csv",
            mime="text/csv",
            filesize=2048,
            checksum=Checksum(type="sha1", value=f"{number:040x}"),
        )
        fields: dict[str, Any] = {
            "title": f"Jeu de données {number}",
            "description": f"Description du jeu {number}.",
            "license": lov2,
            "frequency": "monthly",
            "temporal_coverage": DateRange(
                start=date(2024, 1, 1), end=date(2024, 12, 31)
            ),
            "spatial": SpatialCoverage(zones=[zone], granularity="fr:commune"),
            "tags": ["cantine", "menus"],
            "resources": [resource],
        }
        fields.update(extra)
        if owner is None:
            fields["organization"] = org
        else:
            fields["owner"] = owner
        created = Dataset(**fields)
        created.save()
        made[created.title] = str(created.id)
        return created

    for number in range(1, 21):
        dataset(number)
    dataset(21, private=True)
    dataset(22, private=True)
    dataset(23, deleted=datetime(2024, 6, 1, tzinfo=UTC))
    dataset(24, deleted=datetime(2024, 6, 2, tzinfo=UTC))
    dataset(25, archived=datetime(2024, 10, 15, 9, tzinfo=UTC))
    dataset(26, archived=datetime(2024, 10, 16, 9, tzinfo=UTC))
    dataset(
        27,
        spatial=SpatialCoverage(
            geom={
                "type": "MultiPolygon",
                "coordinates": [
                    [[[5.5, 45.0], [5.6, 45.0], [5.6, 45.1], [5.5, 45.1], [5.5, 45.0]]]
                ],
            },
            granularity="other",
        ),
    )
    person = User.objects.create(
        first_name="Jean", last_name="Dupont", email="jean@villard-de-lans.fr"
    )
    dataset(28, owner=person)
    return {"organization": org.slug, "datasets": made}


def add_test_routes(app: Any) -> None:
    from flask import jsonify
    from udata.core.dataset.models import Dataset

    def link_check() -> Any:
        for dataset in Dataset.objects:
            for resource in dataset.resources:
                resource.extras.update(
                    {
                        "check:available": True,
                        "check:date": datetime.now(UTC),
                        "check:status": 200,
                    }
                )
                dataset.update_resource_extras(resource)
        return jsonify(done=True)

    def metrics() -> Any:
        for dataset in Dataset.objects:
            Dataset.objects(id=dataset.id).update(
                set__metrics={"views": 1234, "followers": 5}
            )
        return jsonify(done=True)

    def edit(dataset_id: str) -> Any:
        dataset = Dataset.objects.get(id=dataset_id)
        dataset.title = dataset.title + " (modifié)"
        dataset.save()
        return jsonify(done=True)

    def archive(dataset_id: str) -> Any:
        dataset = Dataset.objects.get(id=dataset_id)
        dataset.archived = datetime(2025, 1, 20, tzinfo=UTC)
        dataset.save()
        return jsonify(done=True)

    app.add_url_rule("/__test__/link-check", "t_link", link_check, methods=["POST"])
    app.add_url_rule("/__test__/metrics", "t_metrics", metrics, methods=["POST"])
    app.add_url_rule("/__test__/edit/<dataset_id>", "t_edit", edit, methods=["POST"])
    app.add_url_rule(
        "/__test__/archive/<dataset_id>", "t_archive", archive, methods=["POST"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--licences", type=Path, required=True)
    args = parser.parse_args()
    from werkzeug.serving import make_server

    port = free_port()
    with tempfile.TemporaryDirectory() as storage:
        app = make_app(
            storage,
            SERVER_NAME=f"127.0.0.1:{port}",
            PREFERRED_URL_SCHEME="http",
            CACHE_TYPE="flask_caching.backends.NullCache",
        )
        add_test_routes(app)
        with app.app_context():
            load_licences(args.licences)
            seeded = seed()
        server = make_server("127.0.0.1", port, app, threaded=False)
        print(json.dumps({"url": f"http://127.0.0.1:{port}", **seeded}), flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
