"""data.gouv.fr's own DCAT harvester, not a restatement of it: udata (the
PyPI package data.gouv.fr runs, in the side virtualenv .dev/udata-venv that
dev/setup.sh makes from requirements-udata.lock, on an in-memory MongoDB)
harvests the catalogue over real HTTP with its ``DcatBackend``
(tests/datagouv/real/dcat_harvest.py), as it does for a territory that declares
its catalogue as DCAT on data.gouv.fr. Every public dataset must be created,
with what we publish of it.

The same script runs against a served demo (README, "data.gouv.fr")."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ckan.tests import helpers

from tests.conftest import shared_request_context
from tests.datagouv.test_datagouv_harvests_us import (
    GRENOBLE,
    STRICT_PROFILES,
    VILLARD_TOWN_HALL,
    create,
    full_dataset,
    inside,
    make_catalogue,
)

REPO = Path(__file__).resolve().parents[2]
UDATA_PYTHON = (
    Path(os.environ.get("DEV_DIR", REPO / ".dev")) / "udata-venv" / "bin" / "python"
)
SCRIPT = Path(__file__).with_name("real") / "dcat_harvest.py"
LICENCES = Path(__file__).with_name("fixtures") / "datagouv_licenses.json"
SCHEMAS = REPO / "tests" / "quality" / "fixtures" / "schemas.json"

pytestmark = pytest.mark.usefixtures("with_request_context")


def harvest_with_udata(url: str) -> dict[str, Any]:
    """What udata's DCAT backend made of the catalogue at ``url``."""
    assert UDATA_PYTHON.exists(), (
        f"{UDATA_PYTHON} is missing: dev/setup.sh installs udata there (make test does)"
    )
    done = subprocess.run(
        [
            str(UDATA_PYTHON),
            str(SCRIPT),
            url,
            "--licences",
            str(LICENCES),
            "--schemas",
            str(SCHEMAS),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def catalogue(module_territory) -> dict[str, Any]:
    """test_datagouv_harvests_us's catalogue (fourteen full datasets over
    three pages, a minimal one, one without file, private, draft and
    deleted ones), plus procurement data as the DECP harvester publishes it
    (the schema of format-commande-publique, hashed files), and the
    organizations' e-mail addresses."""
    with shared_request_context():
        made = make_catalogue(module_territory)
        admin = module_territory["people"]["sysadmin"]["name"]
        for organization in ("villard-de-lans", "engins", "ccmv"):
            helpers.call_action(
                "organization_patch",
                {"user": admin},
                id=organization,
                contact_email=f"donnees@{organization}.fr",
            )
        procurement = full_dataset(15)
        procurement.update(
            name="marches-publics-engins",
            title="Marchés publics — Engins",
            owner_org="engins",
            schema_name="139bercy/format-commande-publique",
            schema_version="2.0.1",
            resources=[
                {
                    "name": "decp-engins.json",
                    "url": "https://www.engins.fr/decp.json",
                    "format": "JSON",
                    "hash": "ab" * 32,
                }
            ],
        )
        dataset = create(admin, **procurement)
        made["public"][dataset["id"]] = dataset
        made["procurement"] = dataset["id"]
        return made


@pytest.fixture(scope="module")
def harvested() -> dict[str, Any]:
    """udata's harvest of the catalogue, once for the module (filled by the
    first test that asks, over that test's live server)."""
    return {}


@pytest.fixture
def udata(live_server, catalogue, harvested) -> dict[str, Any]:
    if not harvested:
        harvested.update(harvest_with_udata(f"{live_server}/catalog.ttl"))
    return harvested


def test_udata_creates_every_public_dataset_and_nothing_else(udata, catalogue):
    assert [i for i in udata["items"] if i["status"] != "done"] == []
    assert udata["job"] == {"status": "done", "errors": []}
    assert sorted(d["remote_id"] for d in udata["datasets"]) == sorted(
        catalogue["public"]
    )


def test_udata_reads_frequency_temporal_licence_and_contacts(udata, catalogue):
    read = {d["remote_id"]: d for d in udata["datasets"]}

    for number in range(1, 15):
        dataset = next(
            d for d in catalogue["public"].values() if d["name"] == f"jeu-{number}"
        )
        got = read[dataset["id"]]
        assert got["frequency"] == ("weekly", "annual", "monthly")[number % 3]
        assert got["temporal"][0].startswith("2024-01-01")
        assert got["temporal"][1].startswith("2024-12-31")
        assert got["license"] == ("lov2", "odc-odbl")[number % 2]
        contacts = {(c["role"], c["email"]) for c in got["contact_points"]}
        assert ("contact", "donnees@villard-de-lans.fr") in contacts
        organization = dataset["organization"]["name"]
        assert ("publisher", f"donnees@{organization}.fr") in contacts
        (resource,) = got["resources"]
        assert resource["checksum"] == {"type": "sha1", "value": f"{number:040x}"}


def test_udata_shows_the_commune_s_area_as_the_coverage(udata, catalogue):
    """The INSEE URI alone gave data.gouv.fr no coverage: each Location
    carries the commune's bounding box (dcat:bbox, WKT), which udata reads
    as the dataset's geometry."""
    read = {d["remote_id"]: d for d in udata["datasets"]}

    for dataset in catalogue["public"].values():
        if dataset["name"].startswith("jeu-"):
            geom = read[dataset["id"]]["spatial"]["geom"]
            assert geom["type"] == "MultiPolygon"
            assert inside(VILLARD_TOWN_HALL, geom)
            assert not inside(GRENOBLE, geom)


def test_udata_recognises_the_national_schema_of_procurement_data(udata, catalogue):
    (got,) = [
        d for d in udata["datasets"] if d["remote_id"] == catalogue["procurement"]
    ]

    assert got["schema"] == {
        "url": None,
        "name": "139bercy/format-commande-publique",
        "version": "2.0.1",
    }
    assert got["license"] in ("lov2", "odc-odbl")
    (resource,) = got["resources"]
    assert resource["checksum"] == {"type": "sha256", "value": "ab" * 32}


def test_udata_refuses_the_strict_output_s_hashed_datasets(live_server, catalogue):
    """Why the catalogue data.gouv.fr harvests is not the strict DCAT-AP 3
    one: udata reads an xsd:hexBinary checksum as bytes, which its string
    field refuses, and the whole dataset is not created."""
    strict = harvest_with_udata(f"{live_server}/catalog.ttl?profiles={STRICT_PROFILES}")

    failed = [i for i in strict["items"] if i["status"] == "failed"]
    assert len(failed) == len(catalogue["with_files"])
    assert all("checksum.value" in i["errors"][0] for i in failed)
