"""Our udata harvester against data.gouv.fr's own application, not a
restatement of its API: udata from PyPI (its create_app and standalone, API
v1 and v2, on an in-memory MongoDB; the side virtualenv .dev/udata-venv)
serves an organization of 28 datasets (tests/datagouv/real/serve_udata.py):
20 public ones, 2 private, 2 deleted, 2 archived, 1 whose coverage is a
geometry only, 1 of a person. Nightly jobs of data.gouv.fr (the link
checker, the metrics) and a producer's edits are made through udata's own
models between harvests."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from ckan.tests import helpers

from tests.datagouv.conftest import harvest, source
from tests.datagouv.test_udata_reads_us import LICENCES, UDATA_PYTHON

SERVER = Path(__file__).with_name("real") / "serve_udata.py"

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context")


@pytest.fixture
def udata(ckan_config, monkeypatch) -> Iterator[dict[str, Any]]:
    """udata's application serving the organization, on a loopback port,
    named as data.gouv.fr in the configuration."""
    assert UDATA_PYTHON.exists(), f"{UDATA_PYTHON} is missing: run dev/setup.sh"
    process = subprocess.Popen(
        [str(UDATA_PYTHON), str(SERVER), "--licences", str(LICENCES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line, process.stderr.read() if process.stderr else "no output"
        info = json.loads(line)
        monkeypatch.setitem(ckan_config, "ckanext.territoire.datagouv_url", info["url"])
        monkeypatch.setitem(ckan_config, "ckanext.territoire.udata.timeout", "30")
        yield info
    finally:
        process.terminate()
        process.wait(timeout=30)


def organization_source(udata: dict[str, Any], config: dict | None = None) -> dict:
    return source(
        f"{udata['url']}/fr/organizations/{udata['organization']}/",
        {"page_size": 10, **(config or {})},
    )


def published() -> list[str]:
    found = helpers.call_action(
        "package_search",
        fq="organization:villard-de-lans",
        rows=100,
        include_private=True,
    )
    return sorted(d["title"] for d in found["results"])


def job_stats(run) -> dict[str, int]:
    return helpers.call_action("harvest_job_show", id=run.job_id)["stats"]


def test_udata_s_organization_comes_in_as_documented(udata, territory):
    run = harvest(organization_source(udata))

    # The 20 public datasets and the one with a geometry only; not the
    # private, deleted or archived ones.
    assert published() == sorted(f"Jeu de données {n}" for n in (*range(1, 21), 27))
    notes = run.notes()
    assert any("géométrie seulement (MultiPolygon)" in n for n in notes)
    archived = [n for n in notes if "archivé sur data.gouv.fr" in n]
    assert len(archived) == 2
    assert all("non publié ici" in n for n in archived)
    # Notes are not errors: the job counts no error at all.
    assert run.errors() == []
    assert run.gather_errors == []
    assert job_stats(run)["errored"] == 0
    assert job_stats(run)["added"] == 21
    # What a reuser reads of one of them.
    ours = helpers.call_action("package_search", q='title:"Jeu de données 3"', rows=1)[
        "results"
    ][0]
    assert ours["license_id"] == "lov2"
    assert ours["frequency"] == "monthly"
    assert (ours["temporal_start"], ours["temporal_end"]) == (
        "2024-01-01",
        "2024-12-31",
    )
    assert ours["spatial_insee"] == ["38548"]
    assert ours["resources"][0]["hash"] == f"{3:040x}"

    # Nothing changed: nothing to do, nothing said again.
    assert harvest(organization_source_again(run)).objects == {}


def organization_source_again(run) -> dict:
    source_id = next(iter(run.objects.values())).harvest_source_id
    return helpers.call_action("harvest_source_show", id=source_id)


def test_a_person_s_dataset_is_one_real_error_said_once(udata, territory):
    person = udata["datasets"]["Jeu de données 28"]
    src = organization_source(udata, {"datasets": [person]})

    run = harvest(src)

    (error,) = run.errors()
    assert "appartient à une personne" in error
    assert job_stats(run)["errored"] == 1
    again = harvest(helpers.call_action("harvest_source_show", id=src["id"]))
    assert again.objects == {}


def test_a_nightly_link_check_and_new_metrics_reimport_nothing(udata, territory):
    src = organization_source(udata)
    harvest(src)

    for job in ("link-check", "metrics"):
        requests.post(f"{udata['url']}/__test__/{job}", timeout=30).raise_for_status()
    page = requests.get(
        f"{udata['url']}/api/1/datasets/{udata['datasets']['Jeu de données 1']}/",
        timeout=30,
    ).json()
    assert page["resources"][0]["extras"]["check:status"] == 200
    assert page["metrics"]["views"] == 1234

    run = harvest(helpers.call_action("harvest_source_show", id=src["id"]))

    assert run.objects == {}


def test_an_edit_and_an_archive_on_data_gouv_fr_are_followed(udata, territory):
    src = organization_source(udata)
    harvest(src)
    edited = udata["datasets"]["Jeu de données 1"]
    archived = udata["datasets"]["Jeu de données 2"]
    requests.post(f"{udata['url']}/__test__/edit/{edited}", timeout=30)
    requests.post(f"{udata['url']}/__test__/archive/{archived}", timeout=30)

    run = harvest(helpers.call_action("harvest_source_show", id=src["id"]))

    assert run.statuses() == ["deleted", "updated"]
    titles = published()
    assert "Jeu de données 1 (modifié)" in titles
    assert "Jeu de données 2" not in titles
    assert run.errors() == []
    assert any(
        "archivé sur data.gouv.fr (2025-01-20) ; retiré" in n for n in run.notes()
    )
