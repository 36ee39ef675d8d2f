"""Private datasets of a member commune: its own members and the admins of its
EPCI read them (page, API, search); nobody else does, and the EPCI's admins
cannot edit them."""

from __future__ import annotations

import pytest
from ckan.tests import factories, helpers

from tests.factories import dataset_fields
from tests.people import ROLES, headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

READERS = {"member_a", "editor_a", "admin_a", "epci_admin", "sysadmin"}


@pytest.fixture
def private_draft(territory):
    return factories.Dataset(
        name="budget-engins-brouillon",
        owner_org=territory["a"]["id"],
        private=True,
        **dataset_fields(),
    )


def user_of(territory, role):
    return None if role == "anonymous" else territory["people"][role]


def test_who_reads_a_members_private_dataset_through_the_api(
    app, territory, private_draft
):
    statuses = {
        role: app.get(
            "/api/3/action/package_show",
            params={"id": private_draft["name"]},
            headers=headers(user_of(territory, role)),
        ).status_code
        for role in ROLES
    }

    # Not found, as a missing dataset: a 403 would say that it exists.
    assert statuses == {role: 200 if role in READERS else 404 for role in ROLES}


def test_who_finds_a_members_private_dataset_in_search(app, territory, private_draft):
    found = {}
    for role in ROLES:
        response = app.get(
            "/api/3/action/package_search",
            params={"q": "name:budget-engins-brouillon", "include_private": "true"},
            headers=headers(user_of(territory, role)),
        )
        found[role] = response.json["result"]["count"] == 1

    assert found == {role: role in READERS for role in ROLES}


def test_who_opens_a_members_private_dataset_page(app, territory, private_draft):
    statuses = {
        role: app.get(
            f"/dataset/{private_draft['name']}",
            headers=headers(user_of(territory, role)),
        ).status_code
        for role in ROLES
    }

    # CKAN answers 404 rather than 403 on a dataset page one may not see.
    assert statuses == {role: 200 if role in READERS else 404 for role in ROLES}


def test_the_epcis_admin_reads_but_cannot_edit_a_members_dataset(
    app, territory, private_draft
):
    response = app.post(
        "/api/3/action/package_patch",
        json={"id": private_draft["id"], "title": "Modifié par l'EPCI"},
        headers=headers(territory["people"]["epci_admin"]),
    )

    assert response.status_code == 403
    shown = helpers.call_action("package_show", id=private_draft["id"])
    assert shown["title"] == private_draft["title"]


def test_the_admin_of_another_epci_sees_nothing(app, territory, private_draft):
    stranger = factories.UserWithToken()
    factories.Organization(
        name="cc-du-trieves",
        collectivite_type="epci",
        siren="200040681",
        users=[{"name": stranger["name"], "capacity": "admin"}],
    )

    response = app.get(
        "/api/3/action/package_show",
        params={"id": private_draft["name"]},
        headers=headers(stranger),
    )

    assert response.status_code == 404


def test_a_commune_outside_any_epci_keeps_ckans_rules(app, territory):
    lone = factories.Organization(name="commune-isolee", collectivite_type="commune")
    dataset = factories.Dataset(owner_org=lone["id"], private=True, **dataset_fields())

    response = app.get(
        "/api/3/action/package_show",
        params={"id": dataset["name"]},
        headers=headers(territory["people"]["epci_admin"]),
    )

    assert response.status_code == 404


def found_by(app, user, name) -> bool:
    response = app.get(
        "/api/3/action/package_search",
        params={"q": f"name:{name}", "include_private": "true"},
        headers=headers(user),
    )
    return response.json["result"]["count"] == 1


def test_search_follows_a_commune_joining_and_leaving_the_epci(app, territory):
    epci_admin = territory["people"]["epci_admin"]
    newcomer = factories.Organization(name="saint-julien", collectivite_type="commune")
    dataset = factories.Dataset(
        owner_org=newcomer["id"], private=True, **dataset_fields()
    )
    assert not found_by(app, epci_admin, dataset["name"])
    sysadmin = {"user": territory["people"]["sysadmin"]["name"]}

    helpers.call_action(
        "organization_patch", sysadmin, id=newcomer["id"], epci_siren="243801024"
    )
    assert found_by(app, epci_admin, dataset["name"])

    helpers.call_action(
        "organization_patch", sysadmin, id=newcomer["id"], epci_siren=""
    )
    assert not found_by(app, epci_admin, dataset["name"])
