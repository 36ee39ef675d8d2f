"""data.gouv.fr can harvest us with its CKAN harvester: real package_show
output meets every requirement of that harvester's validation schema (see
shared/docs/reference/french_domain.md, section 4.1), and the fields it reads
from `extras` are there."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from ckan.tests import factories, helpers

from tests.datagouv import datagouv_reader as reader
from tests.factories import dataset_fields

# The keys and resource types data.gouv.fr's CKAN harvester requires.
PACKAGE_KEYS = set(reader.PACKAGE_KEYS)
RESOURCE_KEYS = set(reader.RESOURCE_KEYS)
RESOURCE_TYPES = set(reader.RESOURCE_TYPES)


@pytest.fixture
def published_dataset() -> dict[str, Any]:
    org = factories.Organization(name="villard-de-lans", title="Villard-de-Lans")
    sysadmin = factories.Sysadmin()
    dataset = helpers.call_action(
        "package_create",
        context={"user": sysadmin["name"]},
        name="menus-cantine",
        title="Menus de la cantine scolaire",
        notes="Les menus servis chaque semaine.",
        owner_org=org["id"],
        tag_string="cantine,menus",
        frequency="weekly",
        temporal_start="2024-09-01",
        temporal_end="2025-07-04",
        spatial_insee=["38548"],
        spatial_granularity="fr:commune",
        **dataset_fields(),
    )
    helpers.call_action(
        "resource_create",
        context={"user": sysadmin["name"]},
        package_id=dataset["id"],
        name="Menus 2024-2025",
        url="https://www.villard-de-lans.fr/menus-2024-2025.csv",
    )
    return dataset


def show(app, name: str) -> dict[str, Any]:
    response = app.get(f"/api/3/action/package_show?id={name}")
    assert response.status_code == 200
    return response.json["result"]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_package_show_has_every_key_the_harvester_requires(app, published_dataset):
    dataset = show(app, published_dataset["name"])

    assert set(dataset) >= PACKAGE_KEYS
    assert dataset["type"] == "dataset"
    assert isinstance(dataset["private"], bool)
    assert isinstance(dataset["notes"], str)
    assert dataset["tags"]
    for tag in dataset["tags"]:
        assert {"id", "name"} <= set(tag)
    assert all({"key", "value"} <= set(extra) for extra in dataset["extras"])


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_every_resource_has_the_keys_and_types_the_harvester_requires(
    app, published_dataset
):
    resources = show(app, published_dataset["name"])["resources"]

    assert resources
    for resource in resources:
        assert set(resource) >= RESOURCE_KEYS
        assert isinstance(resource["position"], int)
        # The harvester lower-cases the format: None makes it fail.
        assert isinstance(resource["format"], str)
        assert resource["format"] == "CSV"
        assert urlparse(resource["url"]).scheme in {"http", "https"}
        assert resource["resource_type"] in RESOURCE_TYPES | {None, ""}
        assert resource["created"]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_resource_without_format_shows_an_empty_string(app, published_dataset):
    helpers.call_action(
        "resource_create",
        context={"user": factories.Sysadmin()["name"]},
        package_id=published_dataset["id"],
        name="Documentation",
        url="https://www.villard-de-lans.fr/documentation",
    )

    resources = show(app, published_dataset["name"])["resources"]

    assert resources[1]["format"] == ""


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_frequency_coverage_and_area_are_mirrored_in_extras(app, published_dataset):
    extras = {
        extra["key"]: extra["value"]
        for extra in show(app, published_dataset["name"])["extras"]
    }

    assert extras["frequency"] == "weekly"
    assert extras["temporal_start"] == "2024-09-01"
    assert extras["temporal_end"] == "2025-07-04"
    assert extras["spatial-uri"] == "http://id.insee.fr/geo/commune/38548"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_fields_stay_at_top_level_too(app, published_dataset):
    dataset = show(app, published_dataset["name"])

    assert dataset["frequency"] == "weekly"
    assert dataset["spatial_insee"] == ["38548"]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_what_package_show_gives_can_be_sent_back_to_package_update(
    app, published_dataset
):
    dataset = show(app, published_dataset["name"])
    dataset["frequency"] = "monthly"

    updated = helpers.call_action(
        "package_update", context={"user": factories.Sysadmin()["name"]}, **dataset
    )

    assert updated["frequency"] == "monthly"
    extras = {
        extra["key"]: extra["value"] for extra in show(app, "menus-cantine")["extras"]
    }
    assert extras["frequency"] == "monthly"
    assert [extra["key"] for extra in updated["extras"]].count("frequency") == 1


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_package_list_and_search_with_1000_rows_answer(app, published_dataset):
    names = app.get("/api/3/action/package_list").json["result"]
    search = app.get("/api/3/action/package_search?q=*:*&rows=1000").json

    assert names == ["menus-cantine"]
    assert search["success"] is True
    assert [d["name"] for d in search["result"]["results"]] == ["menus-cantine"]
