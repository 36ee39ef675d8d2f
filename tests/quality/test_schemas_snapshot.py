"""Validation without internet: when schema.data.gouv.fr cannot be reached,
the SCDL schemas come from the snapshot shipped with the extension
(quality/schemas_snapshot/), the report says so in French, and a schema the
snapshot does not hold does not count against the dataset; `ckan territoire
schemas sync` refreshes the snapshot from the catalogue."""

from __future__ import annotations

import json
import shutil

import pytest
from bs4 import BeautifulSoup
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.opendata_territoire.quality import catalog
from tests.quality.test_validation_job import (
    create_dataset,
    criterion,
    run_jobs,
    upload,
    validation_of,
)

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues")


@pytest.fixture
def offline(schema_catalogue):
    """schema.data.gouv.fr answering nothing but errors."""
    schema_catalogue.clear_all_handlers()
    schema_catalogue.expect_request("/schemas.json").respond_with_data("", status=503)
    return schema_catalogue


def test_the_snapshot_holds_the_scdl_schemas_with_their_versions():
    taken = catalog.snapshot()

    names = {entry["name"] for entry in taken["schemas"]}
    assert {
        "scdl/deliberations",
        "scdl/budget",
        "scdl/subventions",
        "scdl/equipements",
        "scdl/menus-collectifs",
    } <= names
    for key, name in taken["files"].items():
        schema_name, version = key.split("@")
        descriptor = catalog.snapshot_descriptor(schema_name, version)
        assert descriptor is not None and descriptor["fields"], name
        assert descriptor["version"].lstrip("v") == version


def test_offline_a_file_is_validated_against_the_snapshot(territory, offline):
    dataset = create_dataset(
        territory, name="deliberations", schema_name="scdl/deliberations"
    )
    resource = upload(territory, dataset, "deliberations_invalid.csv")
    run_jobs()

    result = validation_of(resource)
    assert result["status"] == "invalid"
    assert result["schema"]["version"] == "2.1.5"
    assert result["report"]["schema_snapshot"] == catalog.snapshot()["taken"]
    assert result["report"]["errors"]
    assert criterion("deliberations", "schema_conformance")["met"] is False


def test_offline_the_report_says_which_catalogue_it_used(app, territory, offline):
    dataset = create_dataset(territory, name="budget", schema_name="scdl/budget")
    resource = upload(territory, dataset, "budget_valid.csv")
    run_jobs()

    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}")

    assert validation_of(resource)["status"] == "valid"
    text = BeautifulSoup(page.body, "html.parser").get_text(" ", strip=True)
    assert "schema.data.gouv.fr n'a pas pu être joint" in text
    assert "copie du schéma national livrée avec le portail" in text


def test_sync_refreshes_the_snapshot_from_the_catalogue(
    cli, schema_catalogue, tmp_path, monkeypatch
):
    folder = tmp_path / "snapshot"
    shutil.copytree(catalog.SNAPSHOT_DIR, folder)
    monkeypatch.setattr(catalog, "SNAPSHOT_DIR", folder)

    result = cli.invoke(ckan_command, ["territoire", "schemas", "sync"])

    assert result.exit_code == 0, result.output
    taken = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    # The fixture catalogue's three SCDL schemas, at their latest versions;
    # the others are gone, files included.
    assert taken["files"] == {
        "scdl/deliberations@2.1.5": "scdl-deliberations-2.1.5.json",
        "scdl/subventions@2.1.1": "scdl-subventions-2.1.1.json",
        "scdl/budget@0.8.3": "scdl-budget-0.8.3.json",
    }
    assert not (folder / "scdl-prenoms-1.1.6.json").exists()
    assert "3 schémas" in result.output


def test_a_failed_sync_leaves_the_snapshot_whole(
    cli, schema_catalogue, tmp_path, monkeypatch
):
    folder = tmp_path / "snapshot"
    shutil.copytree(catalog.SNAPSHOT_DIR, folder)
    monkeypatch.setattr(catalog, "SNAPSHOT_DIR", folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    broken = schema_catalogue.url_for("/schemas/scdl/budget/9.9.9/schema.json")
    schema_catalogue.clear_all_handlers()
    schema_catalogue.expect_request("/schemas.json").respond_with_json(
        {
            "schemas": [
                {
                    "name": "scdl/budget",
                    "schema_type": "tableschema",
                    "schema_url": broken,
                    "versions": [{"version_name": "9.9.9", "schema_url": broken}],
                }
            ]
        }
    )
    schema_catalogue.expect_request(
        "/schemas/scdl/budget/9.9.9/schema.json"
    ).respond_with_data("", status=500)

    result = cli.invoke(ckan_command, ["territoire", "schemas", "sync"])

    assert result.exit_code != 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_demos_deliberations_show_a_french_report_offline(
    app, cli, territory, offline
):
    result = cli.invoke(ckan_command, ["territoire", "schemas", "seed-demo"])
    again = cli.invoke(ckan_command, ["territoire", "schemas", "seed-demo"])

    assert result.exit_code == 0, result.output
    assert again.exit_code == 0, again.output
    assert "validation invalid" in result.output
    dataset = helpers.call_action("package_show", id="deliberations-villard-de-lans")
    assert len(dataset["resources"]) == 1  # seeded once
    resource = dataset["resources"][0]
    report = validation_of(resource)["report"]
    assert report["schema_snapshot"] == catalog.snapshot()["taken"]
    assert len(report["errors"]) >= 5
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}")
    text = BeautifulSoup(page.body, "html.parser").get_text(" ", strip=True)
    assert "20/01/2025" in text  # the value, with how to write it
    assert "Ce qu'il faut corriger" in text
