"""A round trip: datasets harvested from a (local) data.gouv.fr, then read
back from this catalogue the two ways data.gouv.fr harvests it, carry the
same title, licence, frequency, coverage and resources as at the source.

- CKAN API, as data.gouv.fr's CKAN harvester reads it: package_search with
  rows=1000 filtered on the organization, then package_show; the frequency,
  the temporal coverage and the spatial zones from ``extras``.
- DCAT: /catalog.ttl, each dcat:Dataset with its dct:identifier, licence URI,
  EU frequency URI, period of time, and distributions with their URLs."""

from __future__ import annotations

from typing import Any

import pytest
import rdflib
from ckan.tests import helpers
from rdflib.namespace import RDF

from ckanext.opendata_territoire.licences import register
from ckanext.opendata_territoire.metadata import choices
from tests.datagouv.conftest import harvest, source
from tests.datagouv.fake_udata import VILLARD_ORG, organization, udata_dataset

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context")

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


def source_datasets() -> list[dict[str, Any]]:
    menus = udata_dataset(
        1,
        title="Menus de la cantine scolaire",
        license="lov2",
        frequency="weekly",
        temporal_coverage={"start": "2024-09-01", "end": "2025-07-04"},
        spatial={"zones": ["fr:commune:38548"], "granularity": "fr:commune"},
    )
    menus["resources"].append(
        {
            **menus["resources"][0],
            "id": "00000001-aaaa-4bbb-8ccc-000000000002",
            "title": "menus.json",
            "format": "json",
            "url": "https://static.data.gouv.fr/resources/menus/menus.json",
            "latest": "https://www.data.gouv.fr/fr/datasets/r/00000001-json",
            "checksum": {"type": "sha256", "value": "a" * 64},
        }
    )
    equipements = udata_dataset(
        2,
        title="Équipements sportifs",
        license="odc-odbl",
        frequency="annual",
        temporal_coverage={
            "start": "2020-01-01T00:00:00+00:00",
            "end": "2023-12-31T00:00:00+00:00",
        },
        spatial={"zones": ["fr:epci:243801024"], "granularity": "fr:epci"},
    )
    return [menus, equipements]


@pytest.fixture
def harvested(datagouv, territory):
    remote = source_datasets()
    organization(datagouv, VILLARD_ORG, "213805484", [remote], 50)
    run = harvest(source(f"{datagouv.url}/fr/organizations/{VILLARD_ORG['slug']}/"))
    assert run.statuses() == ["added", "added"]
    return {d["title"]: d for d in remote}


def coverage(remote: dict[str, Any]) -> tuple[str, str]:
    period = remote["temporal_coverage"]
    return period["start"][:10], period["end"][:10]


def resources(remote: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (r["title"], r["latest"], r["format"].lower(), r["checksum"]["value"])
        for r in remote["resources"]
    ]


def insee_uri(zone: str) -> str:
    level, code = zone.split(":")[1:]
    kind = "commune" if level == "commune" else "intercommunalite"
    return f"http://id.insee.fr/geo/{kind}/{code}"


def test_the_ckan_api_gives_back_what_was_harvested(app, harvested):
    found = app.get(
        "/api/3/action/package_search",
        query_string={"q": "organization:villard-de-lans", "rows": 1000},
    ).json["result"]
    assert found["count"] == 2

    for item in found["results"]:
        package = app.get(
            "/api/3/action/package_show", query_string={"id": item["name"]}
        ).json["result"]
        remote = harvested[package["title"]]
        extras = {e["key"]: e["value"] for e in package["extras"]}
        assert package["type"] == "dataset"
        assert package["license_id"] == remote["license"]
        assert extras["frequency"] == remote["frequency"]
        assert (extras["temporal_start"], extras["temporal_end"]) == coverage(remote)
        assert extras["spatial-uri"].split() == [
            insee_uri(z) for z in remote["spatial"]["zones"]
        ]
        assert [
            (r["name"], r["url"], r["format"].lower(), r["hash"])
            for r in package["resources"]
        ] == resources(remote)


def test_dcat_gives_back_what_was_harvested(app, harvested):
    graph = rdflib.Graph()
    graph.parse(data=app.get("/catalog.ttl").body, format="turtle")
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2
    frequencies = {
        entry["value"]: entry["eu"] for entry in choices.choice_list("frequencies")
    }

    for node in datasets:
        remote = harvested[str(graph.value(node, DCT.title))]
        package = helpers.call_action("package_show", id=remote["slug"])
        assert str(graph.value(node, DCT.identifier)) == package["id"]
        licence = register.licence(remote["license"])
        assert licence is not None
        assert str(graph.value(node, DCT.license)) == licence.uri
        assert str(graph.value(node, DCT.accrualPeriodicity)) == (
            EU_FREQUENCY + frequencies[remote["frequency"]]
        )
        period = graph.value(node, DCT.temporal)
        assert (
            str(graph.value(period, DCAT.startDate)),
            str(graph.value(period, DCAT.endDate)),
        ) == coverage(remote)
        urls = set()
        for distribution in graph.objects(node, DCAT.distribution):
            url = graph.value(distribution, DCAT.downloadURL) or graph.value(
                distribution, DCAT.accessURL
            )
            urls.add(str(url))
            assert str(graph.value(distribution, DCT.license)) == licence.uri
        assert urls == {r["latest"] for r in remote["resources"]}
