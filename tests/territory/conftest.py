"""Territory test data: a small copy of @etalab/decoupage-administratif
(fixtures/, rebuilt by fixtures/extract.py) and a local server answering like
geo.api.gouv.fr. The integration tests read the real package dev/setup.sh
installs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ckan.tests import helpers

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_DATA = FIXTURES / "decoupage-administratif" / "data"

# Mark a test (or a module) to read the fixture copy instead of the package.
fixture_reference = pytest.mark.ckan_config(
    "ckanext.territoire.reference_dir", str(FIXTURE_DATA)
)

CCMV = "243801024"
PETITE_TERRE = "200050532"
# SIREN: (INSEE code, title, collectivite_type), as in the reference data.
CCMV_ORGANIZATIONS = {
    "243801024": (None, "CC du Massif du Vercors", "epci"),
    "213805484": ("38548", "Villard-de-Lans", "commune"),
    "200056224": ("38225", "Autrans-Méaudre en Vercors", "commune"),
    "213802051": ("38205", "Lans-en-Vercors", "commune"),
    "213804339": ("38433", "Saint-Nizier-du-Moucherotte", "commune"),
    "213801533": ("38153", "Engins", "commune"),
    "213801293": ("38129", "Corrençon-en-Vercors", "commune"),
}


def organizations() -> dict[str, dict]:
    """Every organization of the catalogue by SIREN (organization_show: the
    list action stops at 25 with all_fields)."""
    names = helpers.call_action("organization_list")
    shown = [helpers.call_action("organization_show", id=name) for name in names]
    return {org.get("siren") or org["name"]: org for org in shown}


def fixture_json(name: str) -> list[dict]:
    return json.loads((FIXTURE_DATA / name).read_text("utf-8"))


@pytest.fixture
def geo_api(httpserver, ckan_config, monkeypatch):
    """A local server answering like geo.api.gouv.fr for the CCMV (two of its
    communes only, to tell the sources apart) and a 404 for any other EPCI,
    with the configuration pointing at it."""
    httpserver.expect_request(
        f"/epcis/{CCMV}", query_string={"fields": "nom,code,type,population"}
    ).respond_with_json(
        {
            "nom": "CC du Massif du Vercors",
            "code": CCMV,
            "type": "CC",
            "population": 11997,
        }
    )
    httpserver.expect_request(
        f"/epcis/{CCMV}/communes",
        query_string={"fields": "nom,code,siren,population,codeDepartement"},
    ).respond_with_json(
        [
            {
                "nom": "Villard-de-Lans",
                "code": "38548",
                "siren": "213805484",
                "population": 4365,
                "codeDepartement": "38",
            },
            {
                "nom": "Engins",
                "code": "38153",
                "siren": "213801533",
                "population": 429,
                "codeDepartement": "38",
            },
        ]
    )
    httpserver.expect_request("/communes/38548").respond_with_json(
        {"nom": "Villard-de-Lans", "code": "38548"}
    )
    httpserver.expect_request("/epcis/200000000").respond_with_data("", status=404)
    httpserver.expect_request("/communes/38021").respond_with_data("", status=404)
    httpserver.expect_request("/epcis/200000001").respond_with_data("down", status=502)
    monkeypatch.setitem(ckan_config, "ckanext.territoire.reference_source", "geo_api")
    monkeypatch.setitem(
        ckan_config, "ckanext.territoire.geo_api_url", httpserver.url_for("/")
    )
    return httpserver
