"""The territory actions: territoire_territory_show (the EPCI and its members
as they are in the catalogue) and territoire_territory_init (ckan territoire
init through the API)."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import factories, helpers

from ckanext.opendata_territoire.territory.organizations import init_territory
from tests.factories import dataset
from tests.territory.conftest import (
    CCMV,
    PETITE_TERRE,
    fixture_reference,
    organizations,
)

pytestmark = [fixture_reference, pytest.mark.usefixtures("clean_db", "clean_index")]


def test_show_gives_the_epci_and_its_members_with_their_codes(app):
    init_territory(CCMV)
    dataset(owner_org="engins")
    dataset(owner_org="engins", private=True)

    result = app.get("/api/3/action/territoire_territory_show").json["result"]

    assert result["epci"]["siren"] == CCMV
    assert result["epci"]["name"] == "cc-du-massif-du-vercors"
    assert result["epci"]["collectivite_type"] == "epci"
    assert [(m["title"], m["insee_code"], m["siren"]) for m in result["members"]] == [
        ("Autrans-Méaudre en Vercors", "38225", "200056224"),
        ("Corrençon-en-Vercors", "38129", "213801293"),
        ("Engins", "38153", "213801533"),
        ("Lans-en-Vercors", "38205", "213802051"),
        ("Saint-Nizier-du-Moucherotte", "38433", "213804339"),
        ("Villard-de-Lans", "38548", "213805484"),
    ]
    counts = {m["name"]: m["package_count"] for m in result["members"]}
    assert counts["engins"] == 1  # public datasets only
    assert counts["villard-de-lans"] == 0
    assert {m["epci_siren"] for m in result["members"]} == {CCMV}
    assert set(result["members"][0]) == {
        "id",
        "name",
        "title",
        "collectivite_type",
        "insee_code",
        "siren",
        "population",
        "epci_siren",
        "package_count",
    }


def test_show_another_epci_of_the_portal():
    init_territory(CCMV)
    init_territory(PETITE_TERRE)

    result = helpers.call_action("territoire_territory_show", epci_siren=PETITE_TERRE)

    assert result["epci"]["title"] == "CC de Petite-Terre"
    assert [m["name"] for m in result["members"]] == ["dzaoudzi", "pamandzi"]


@pytest.mark.ckan_config("ckan.group_and_organization_list_all_fields_max", "2")
def test_show_lists_every_member_beyond_the_list_limit():
    init_territory(CCMV)

    result = helpers.call_action("territoire_territory_show")

    assert len(result["members"]) == 6


def test_show_before_init_is_empty():
    assert helpers.call_action("territoire_territory_show") == {
        "epci": None,
        "members": [],
    }


def test_show_refuses_a_malformed_siren():
    with pytest.raises(logic.ValidationError) as error:
        helpers.call_action("territoire_territory_show", epci_siren="abc")

    assert "is not a SIREN" in error.value.error_dict["epci_siren"][0]


def test_init_through_the_api(app):
    sysadmin = factories.SysadminWithToken()

    response = app.post(
        "/api/3/action/territoire_territory_init",
        json={"epci_siren": CCMV},
        headers={"Authorization": sysadmin["token"]},
    )

    summary = response.json["result"]
    assert len(summary["created"]) == 7
    assert summary["dry_run"] is False
    assert len(organizations()) == 7
    engins = helpers.call_action("organization_show", id="engins", include_users=True)
    assert [u["name"] for u in engins["users"]] == [sysadmin["name"]]


def test_init_defaults_to_the_configured_epci_and_can_be_a_dry_run():
    sysadmin = factories.Sysadmin()

    summary = helpers.call_action(
        "territoire_territory_init", context={"user": sysadmin["name"]}, dry_run="true"
    )

    assert summary["epci"]["siren"] == CCMV
    assert summary["dry_run"] is True
    assert len(summary["created"]) == 7
    assert organizations() == {}


def test_init_reports_what_changed():
    sysadmin = factories.Sysadmin()
    init_territory(CCMV)
    helpers.call_action(
        "organization_patch",
        context={"user": sysadmin["name"]},
        id="lans-en-vercors",
        collectivite_type="syndicat",
    )

    summary = helpers.call_action(
        "territoire_territory_init", context={"user": sysadmin["name"]}, epci_siren=CCMV
    )

    assert summary["updated"] == [
        {
            "name": "lans-en-vercors",
            "title": "Lans-en-Vercors",
            "collectivite_type": "commune",
            "siren": "213802051",
            "insee_code": "38205",
            "changes": {
                "collectivite_type": {"before": "syndicat", "after": "commune"}
            },
        }
    ]
    assert len(summary["unchanged"]) == 6


def test_init_unknown_siren_is_a_validation_error():
    with pytest.raises(logic.ValidationError) as error:
        helpers.call_action(
            "territoire_territory_init",
            context={"user": factories.Sysadmin()["name"]},
            epci_siren="123456789",
        )

    assert error.value.error_dict["epci_siren"][0].startswith(
        "No EPCI with SIREN 123456789 in the reference data"
    )


@pytest.mark.usefixtures("geo_api")
def test_init_with_the_geo_api_source():
    summary = helpers.call_action(
        "territoire_territory_init",
        context={"user": factories.Sysadmin()["name"]},
        epci_siren=CCMV,
    )

    assert summary["source"].startswith("geo.api.gouv.fr")
    assert [row["name"] for row in summary["created"]] == [
        "cc-du-massif-du-vercors",
        "villard-de-lans",
        "engins",
    ]


def test_anonymous_cannot_initialise_the_territory_through_the_api(app):
    response = app.post(
        "/api/3/action/territoire_territory_init", json={"epci_siren": CCMV}
    )

    assert response.status_code == 403
    assert organizations() == {}


def test_show_gives_what_organization_show_gives(app):
    """territoire_territory_show reads the organization tables itself (one
    query, one search) instead of calling organization_show for each
    organization: the values are the same."""
    init_territory(CCMV)
    dataset(owner_org="engins")
    dataset(owner_org="cc-du-massif-du-vercors")
    dataset(owner_org="villard-de-lans", private=True)

    result = app.get("/api/3/action/territoire_territory_show").json["result"]

    for organization in [result["epci"], *result["members"]]:
        shown = app.get(
            "/api/3/action/organization_show", query_string={"id": organization["id"]}
        ).json["result"]
        assert organization == {key: shown.get(key) for key in organization}
    assert result["epci"]["package_count"] == 1
