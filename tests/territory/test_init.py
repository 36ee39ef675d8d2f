"""`ckan territoire init` and its action: the EPCI and its member communes as
organizations, from the reference data (the real npm package that
dev/setup.sh installs, or geo.api.gouv.fr served by a local test server)."""

from __future__ import annotations

import json

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

CCMV = "243801024"
CCMV_ORGANIZATIONS = {
    # SIREN: (INSEE code, title, type)
    "243801024": (None, "CC du Massif du Vercors", "epci"),
    "213805484": ("38548", "Villard-de-Lans", "commune"),
    "200056224": ("38225", "Autrans-Méaudre en Vercors", "commune"),
    "213802051": ("38205", "Lans-en-Vercors", "commune"),
    "213804339": ("38433", "Saint-Nizier-du-Moucherotte", "commune"),
    "213801533": ("38153", "Engins", "commune"),
    "213801293": ("38129", "Corrençon-en-Vercors", "commune"),
}


def organizations() -> dict[str, dict]:
    orgs = helpers.call_action(
        "organization_list", all_fields=True, include_extras=True
    )
    return {org["siren"]: org for org in orgs}


def init(cli, *args: str):
    return cli.invoke(ckan_command, ["territoire", "init", "--epci", *args])


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_init_creates_the_epci_and_its_six_communes(cli):
    result = init(cli, CCMV)

    assert result.exit_code == 0, result.output
    orgs = organizations()
    assert set(orgs) == set(CCMV_ORGANIZATIONS)
    for siren, (insee, title, kind) in CCMV_ORGANIZATIONS.items():
        org = orgs[siren]
        assert org["title"] == title
        assert org["collectivite_type"] == kind
        assert org.get("insee_code") == insee
        if kind == "commune":
            assert org["epci_siren"] == CCMV
    assert orgs["213805484"]["name"] == "villard-de-lans"
    assert orgs["213805484"]["population"] == 4578
    assert "7 organization(s) created" in result.output


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_second_run_changes_nothing(cli):
    init(cli, CCMV)
    before = organizations()

    result = init(cli, CCMV)

    assert result.exit_code == 0, result.output
    assert "0 organization(s) created" in result.output
    assert "0 organization(s) updated" in result.output
    assert "7 organization(s) unchanged" in result.output
    after = organizations()
    assert {
        s: o["revision_id"] if "revision_id" in o else o["name"]
        for s, o in after.items()
    } == {
        s: o["revision_id"] if "revision_id" in o else o["name"]
        for s, o in before.items()
    }
    assert len(after) == 7


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_run_restores_the_reference_fields_and_keeps_the_others(cli):
    init(cli, CCMV)
    sysadmin = factories.Sysadmin()
    helpers.call_action(
        "organization_patch",
        context={"user": sysadmin["name"]},
        id="engins",
        population=1,
        description="La commune d'Engins, au pied du Vercors.",
    )

    result = init(cli, CCMV, "--json")

    summary = json.loads(result.output)
    assert [row["name"] for row in summary["updated"]] == ["engins"]
    assert summary["updated"][0]["fields"] == {"population": 449}
    engins = helpers.call_action("organization_show", id="engins")
    assert engins["population"] == 449
    assert engins["description"] == "La commune d'Engins, au pied du Vercors."


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dry_run_writes_nothing(cli):
    result = init(cli, CCMV, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "7 organization(s) to create" in result.output
    assert "dry run: nothing written" in result.output
    assert organizations() == {}


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_unknown_siren_gets_a_clear_error(cli):
    result = init(cli, "123456789")

    assert result.exit_code == 1
    assert "No EPCI with SIREN 123456789 in the reference data" in result.output
    assert organizations() == {}


@pytest.mark.ckan_config("ckanext.territoire.reference_dir", "/nonexistent/data")
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_missing_reference_data_says_what_to_do(cli):
    result = init(cli, CCMV)

    assert result.exit_code == 1
    assert "The territory reference data is missing" in result.output
    assert "run dev/setup.sh" in result.output


@pytest.fixture
def geo_api(httpserver, ckan_config, monkeypatch):
    """A local server answering like geo.api.gouv.fr for the CCMV."""
    httpserver.expect_request("/epcis/243801024").respond_with_json(
        {"nom": "CC du Massif du Vercors", "code": "243801024", "population": 11997}
    )
    httpserver.expect_request("/epcis/243801024/communes").respond_with_json(
        [
            {
                "nom": "Villard-de-Lans",
                "code": "38548",
                "siren": "213805484",
                "population": 4365,
            },
            {"nom": "Engins", "code": "38153", "siren": "213801533", "population": 429},
        ]
    )
    httpserver.expect_request("/epcis/200000000").respond_with_data(status=404)
    monkeypatch.setitem(ckan_config, "ckanext.territoire.reference_source", "geo_api")
    monkeypatch.setitem(
        ckan_config, "ckanext.territoire.geo_api_url", httpserver.url_for("/")
    )
    return httpserver


@pytest.mark.usefixtures("clean_db", "clean_index", "geo_api")
def test_geo_api_source_creates_the_organizations_it_lists():
    summary = helpers.call_action(
        "territoire_territory_init",
        context={"user": factories.Sysadmin()["name"]},
        epci_siren=CCMV,
    )

    assert [row["name"] for row in summary["created"]] == [
        "cc-du-massif-du-vercors",
        "villard-de-lans",
        "engins",
    ]
    assert organizations()["213801533"]["population"] == 429


@pytest.mark.usefixtures("clean_db", "clean_index", "geo_api")
def test_geo_api_unknown_siren_is_a_validation_error():
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action(
            "territoire_territory_init",
            context={"user": factories.Sysadmin()["name"]},
            epci_siren="200000000",
        )

    assert "No EPCI with SIREN 200000000 on geo.api.gouv.fr" in str(
        error.value.error_dict["epci_siren"]
    )


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_territory_show_lists_the_members_from_the_catalogue(cli, app):
    init(cli, CCMV)

    result = app.get("/api/3/action/territoire_territory_show").json["result"]

    assert result["epci"]["siren"] == CCMV
    assert [m["insee_code"] for m in result["members"]] == [
        "38225",
        "38129",
        "38153",
        "38205",
        "38433",
        "38548",
    ]
