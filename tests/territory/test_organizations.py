"""init_territory: the EPCI and its member communes as organizations, from
the fixture copy of the reference data."""

from __future__ import annotations

import pytest
from ckan.tests import factories, helpers

from ckanext.opendata_territoire.territory.organizations import init_territory
from ckanext.opendata_territoire.territory.reference import TerritoryError
from tests.factories import dataset
from tests.territory.conftest import (
    CCMV,
    CCMV_ORGANIZATIONS,
    PETITE_TERRE,
    fixture_reference,
    organizations,
)

pytestmark = [fixture_reference, pytest.mark.usefixtures("clean_db", "clean_index")]


def patch(**fields) -> dict:
    """organization_patch as a sysadmin (the activity stream needs a user)."""
    return helpers.call_action(
        "organization_patch", context={"user": factories.Sysadmin()["name"]}, **fields
    )


def outcome(summary) -> dict[str, list[str]]:
    return {
        key: sorted(c.name for c in getattr(summary, key))
        for key in ("created", "updated", "unchanged", "not_members")
    }


def test_init_creates_the_epci_and_its_six_communes_with_their_codes():
    summary = init_territory(CCMV)

    orgs = organizations()
    assert set(orgs) == set(CCMV_ORGANIZATIONS)
    for siren, (insee, title, kind) in CCMV_ORGANIZATIONS.items():
        org = orgs[siren]
        assert (org["title"], org["collectivite_type"]) == (title, kind)
        assert org.get("insee_code") == insee
        assert org.get("epci_siren") == (CCMV if kind == "commune" else None)
    assert orgs[CCMV]["name"] == "cc-du-massif-du-vercors"
    assert orgs[CCMV]["population"] == 12482
    assert orgs["200056224"]["name"] == "autrans-meaudre-en-vercors"
    assert orgs["213805484"]["population"] == 4578
    assert len(summary.created) == 7
    assert summary.updated == summary.unchanged == summary.not_members == []
    assert summary.source == "@etalab/decoupage-administratif 6.0.0"


def activities() -> dict[str, int]:
    return {
        siren: len(helpers.call_action("organization_activity_list", id=org["id"]))
        for siren, org in organizations().items()
    }


def test_a_second_run_changes_nothing():
    init_territory(CCMV)
    before, activities_before = organizations(), activities()

    summary = init_territory(CCMV)

    assert outcome(summary) == {
        "created": [],
        "updated": [],
        "unchanged": sorted(o["name"] for o in organizations().values()),
        "not_members": [],
    }
    assert organizations() == before
    assert activities() == activities_before


def test_dry_run_writes_nothing_and_tells_what_would_be_done():
    summary = init_territory(CCMV, dry_run=True)

    assert organizations() == {}
    assert summary.dry_run
    assert len(summary.created) == 7
    engins = next(c for c in summary.created if c.siren == "213801533")
    assert engins.name == "engins"
    assert engins.as_dict()["fields"] == {
        "title": "Engins",
        "collectivite_type": "commune",
        "insee_code": "38153",
        "siren": "213801533",
        "population": 449,
        "epci_siren": CCMV,
    }


def test_dry_run_after_a_change_reports_it_without_writing():
    init_territory(CCMV)
    patch(id="engins", population=1)

    summary = init_territory(CCMV, dry_run=True)

    assert outcome(summary)["updated"] == ["engins"]
    assert organizations()["213801533"]["population"] == 1


def test_a_run_restores_the_reference_fields_and_keeps_everything_else():
    init_territory(CCMV)
    editor = factories.User()
    patch(
        id="engins",
        population=1,
        description="La commune d'Engins, au pied du Vercors.",
        agents_count=12,
        contact_email="mairie@engins.invalid",
    )
    helpers.call_action(
        "organization_member_create",
        context={"user": factories.Sysadmin()["name"]},
        id="engins",
        username=editor["name"],
        role="editor",
    )
    published = dataset(owner_org="engins")

    summary = init_territory(CCMV)

    assert outcome(summary)["updated"] == ["engins"]
    assert summary.updated[0].as_dict()["changes"] == {
        "population": {"before": 1, "after": 449}
    }
    engins = helpers.call_action("organization_show", id="engins", include_users=True)
    assert engins["population"] == 449
    assert engins["description"] == "La commune d'Engins, au pied du Vercors."
    assert engins["agents_count"] == 12
    assert engins["contact_email"] == "mairie@engins.invalid"
    assert editor["name"] in {u["name"] for u in engins["users"]}
    assert (
        helpers.call_action("package_show", id=published["id"])["owner_org"]
        == (engins["id"])
    )
    assert engins["package_count"] == 1


def test_a_renamed_organization_is_found_by_its_siren_not_duplicated():
    init_territory(CCMV)
    patch(
        id="villard-de-lans",
        name="commune-de-villard",
        title="Commune de Villard-de-Lans",
    )

    summary = init_territory(CCMV)

    orgs = organizations()
    assert len(orgs) == 7
    assert orgs["213805484"]["name"] == "commune-de-villard"
    assert orgs["213805484"]["title"] == "Villard-de-Lans"  # the official name
    assert outcome(summary)["updated"] == ["commune-de-villard"]
    assert summary.updated[0].changes == {
        "title": ("Commune de Villard-de-Lans", "Villard-de-Lans")
    }


def test_a_name_already_taken_gets_the_insee_code():
    factories.Organization(name="engins", title="Association des amis d'Engins")
    deleted = factories.Organization(name="lans-en-vercors")
    helpers.call_action(
        "organization_delete",
        context={"user": factories.Sysadmin()["name"]},
        id=deleted["id"],
    )

    summary = init_territory(CCMV, dry_run=True)
    names = {c.siren: c.name for c in summary.created}
    init_territory(CCMV)

    orgs = organizations()
    assert orgs["213801533"]["name"] == names["213801533"] == "engins-38153"
    assert orgs["213802051"]["name"] == names["213802051"] == "lans-en-vercors-38205"
    assert orgs["engins"]["title"] == "Association des amis d'Engins"
    assert len(init_territory(CCMV).unchanged) == 7


@pytest.mark.ckan_config("ckan.group_and_organization_list_all_fields_max", "2")
def test_existing_organizations_are_all_found_beyond_the_list_limit():
    init_territory(CCMV)

    summary = init_territory(CCMV)

    assert len(summary.unchanged) == 7
    assert len(organizations()) == 7


def test_two_territories_on_one_portal():
    init_territory(CCMV)

    summary = init_territory(PETITE_TERRE)

    assert sorted(c.name for c in summary.created) == [
        "cc-de-petite-terre",
        "dzaoudzi",
        "pamandzi",
    ]
    orgs = organizations()
    assert orgs["200008795"]["insee_code"] == "97608"
    assert orgs["200008795"]["epci_siren"] == PETITE_TERRE
    assert len(init_territory(CCMV).unchanged) == 7


def test_a_commune_that_left_the_epci_is_reported_and_left_alone():
    init_territory(CCMV)
    left = factories.Organization(
        name="pamandzi",
        title="Pamandzi",
        collectivite_type="commune",
        insee_code="97615",
        siren="200008860",
        epci_siren=CCMV,
    )

    summary = init_territory(CCMV)

    assert outcome(summary)["not_members"] == ["pamandzi"]
    assert summary.as_dict()["not_members"][0]["insee_code"] == "97615"
    assert len(summary.unchanged) == 7
    assert helpers.call_action("organization_show", id=left["id"])["epci_siren"] == CCMV


def test_the_organizations_are_written_by_the_site_user_or_the_given_sysadmin():
    sysadmin = factories.Sysadmin()

    init_territory(PETITE_TERRE, user=sysadmin["name"])
    init_territory(CCMV)

    pamandzi = helpers.call_action(
        "organization_show", id="pamandzi", include_users=True
    )
    engins = helpers.call_action("organization_show", id="engins", include_users=True)
    site_user = helpers.call_action("get_site_user")["name"]
    assert [u["name"] for u in pamandzi["users"]] == [sysadmin["name"]]
    assert [u["name"] for u in engins["users"]] == [site_user]


def test_only_a_sysadmin_can_be_the_writer():
    user = factories.User()

    with pytest.raises(TerritoryError, match="is not a sysadmin"):
        init_territory(CCMV, user=user["name"])
    with pytest.raises(TerritoryError, match='No user "nobody"'):
        init_territory(CCMV, user="nobody")
    assert organizations() == {}


def test_an_unknown_siren_writes_nothing():
    with pytest.raises(TerritoryError, match="No EPCI with SIREN 123456789"):
        init_territory("123456789")

    assert organizations() == {}


def test_progress_is_reported_for_each_organization():
    seen: list[tuple[int, int, str]] = []

    init_territory(CCMV, progress=lambda n, total, c: seen.append((n, total, c.name)))

    assert [(n, total) for n, total, _ in seen] == [(n, 7) for n in range(1, 8)]
    assert seen[0][2] == "cc-du-massif-du-vercors"


@pytest.mark.usefixtures("geo_api")
def test_geo_api_source_creates_the_organizations_it_lists():
    summary = init_territory(CCMV)

    assert summary.source.startswith("geo.api.gouv.fr, http://localhost:")
    assert [c.name for c in summary.created] == [
        "cc-du-massif-du-vercors",
        "villard-de-lans",
        "engins",
    ]
    orgs = organizations()
    assert orgs["213801533"]["population"] == 429  # population municipale
    assert orgs[CCMV]["population"] == 11997
    assert len(init_territory(CCMV).unchanged) == 3
