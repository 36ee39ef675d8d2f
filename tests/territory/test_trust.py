"""Who is the EPCI is decided by the platform, not by a field its holders can
edit (territory/roles.py, territory/validators.py): the probe of the demo made
a commune admin's own commune an "EPCI" that could then run harvests, and
found organizations answering for one SIREN in row order."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_territoire.territory import roles
from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def test_a_commune_admin_cannot_make_their_commune_an_epci_and_run_harvests(
    app, territory
):
    admin = headers(territory["people"]["admin_a"])

    declared = app.post(
        "/api/3/action/organization_patch",
        json={"id": "engins", "collectivite_type": "epci"},
        headers=admin,
    )
    source = app.post(
        "/api/3/action/harvest_source_create",
        json={
            "name": "decp-engins",
            "title": "DECP",
            "url": "https://www.data.gouv.fr/fr/datasets/decp/",
            "source_type": "decp",
            "owner_org": "engins",
        },
        headers=admin,
    )

    assert declared.status_code == 409
    assert (
        "administrateurs du portail" in declared.json["error"]["collectivite_type"][0]
    )
    assert helpers.call_action("organization_show", id="engins")[
        "collectivite_type"
    ] == ("commune")
    assert source.status_code == 403


def test_a_commune_admin_still_edits_what_is_theirs(app, territory):
    response = app.post(
        "/api/3/action/organization_patch",
        json={"id": "engins", "description": "Commune du plateau.", "population": 612},
        headers=headers(territory["people"]["admin_a"]),
    )

    assert response.status_code == 200, response.body
    stored = helpers.call_action("organization_show", id="engins")
    assert stored["description"] == "Commune du plateau."
    assert stored["siren"] == "213801533"
    assert stored["epci_siren"] == "243801024"


def test_an_update_that_leaves_the_platform_fields_out_keeps_them(app, territory):
    """organization_update replaces the whole organization: the fields a
    commune's admin cannot send stay as the platform set them."""
    response = app.post(
        "/api/3/action/organization_update",
        json={"id": "engins", "name": "engins", "title": "Engins (Isère)"},
        headers=headers(territory["people"]["admin_a"]),
    )

    assert response.status_code == 200, response.body
    stored = helpers.call_action("organization_show", id="engins")
    assert (stored["title"], stored["collectivite_type"], stored["siren"]) == (
        "Engins (Isère)",
        "commune",
        "213801533",
    )
    assert (stored["insee_code"], stored["epci_siren"]) == ("38153", "243801024")


def form_fields(page) -> dict[str, str]:
    soup = BeautifulSoup(page.body, "html.parser")
    return {
        field["name"]: field.get("value", "")
        for field in soup.select(
            "form.dataset-form input, form.dataset-form select, "
            "form.dataset-form textarea"
        )
        if field.get("name")
    }


def test_the_organization_form_shows_the_platform_fields_read_only_to_its_admins(
    app, territory
):
    page = app.get(
        "/organization/edit/engins", headers=headers(territory["people"]["admin_a"])
    )

    assert page.status_code == 200
    fields = form_fields(page)
    assert "siren" not in fields and "collectivite_type" not in fields
    assert "description" in fields
    soup = BeautifulSoup(page.body, "html.parser")
    shown = soup.select_one("#field-siren").get_text(strip=True)
    assert shown == "213801533"
    assert "Renseigné par les administrateurs du portail" in page.body


def test_the_organization_form_lets_sysadmins_edit_the_platform_fields(app, territory):
    page = app.get(
        "/organization/edit/engins", headers=headers(territory["people"]["sysadmin"])
    )

    fields = form_fields(page)
    assert fields["siren"] == "213801533"
    assert "collectivite_type" in fields


def test_the_form_of_a_commune_admin_saves_without_touching_the_platform_fields(
    app, territory
):
    admin = headers(territory["people"]["admin_a"])
    fields = form_fields(app.get("/organization/edit/engins", headers=admin))
    fields.update(description="Mise à jour par la mairie.", save="")

    response = app.post(
        "/organization/edit/engins", data=fields, headers=admin, follow_redirects=False
    )

    assert response.status_code == 302, response.body[:3000]
    stored = helpers.call_action("organization_show", id="engins")
    assert stored["description"] == "Mise à jour par la mairie."
    assert (stored["siren"], stored["epci_siren"]) == ("213801533", "243801024")


def test_a_siren_belongs_to_one_organization(app, territory):
    response = app.post(
        "/api/3/action/organization_create",
        json={
            "name": "fausse-ccmv",
            "title": "CC du Massif du Vercors (bis)",
            "collectivite_type": "epci",
            "siren": "243801024",
        },
        headers=headers(territory["people"]["sysadmin"]),
    )

    assert response.status_code == 409
    assert response.json["error"]["siren"] == [
        "Le SIREN 243801024 appartient déjà à l'organisation « ccmv » : une seule "
        "organisation par SIREN."
    ]


def test_the_database_refuses_a_second_organization_with_a_siren(territory):
    """The constraint holds whatever writes: a second row is refused by
    PostgreSQL itself (migration 0009_unique_siren)."""
    other = factories.Organization(name="autre")
    with pytest.raises(sa.exc.IntegrityError):
        model.Session.execute(
            sa.text(
                "INSERT INTO group_extra (id, group_id, key, value, state) "
                "VALUES ('x', :group, 'siren', '243801024', 'active')"
            ),
            {"group": other["id"]},
        )
        model.Session.flush()
    model.Session.rollback()


def test_a_deleted_organization_keeps_its_siren_until_it_is_purged(app, territory):
    sysadmin = headers(territory["people"]["sysadmin"])
    app.post(
        "/api/3/action/organization_delete", json={"id": "engins"}, headers=sysadmin
    )
    new = {"name": "engins-bis", "title": "Engins", "siren": "213801533"}

    refused = app.post("/api/3/action/organization_create", json=new, headers=sysadmin)
    app.post(
        "/api/3/action/organization_purge", json={"id": "engins"}, headers=sysadmin
    )
    created = app.post("/api/3/action/organization_create", json=new, headers=sysadmin)

    assert refused.status_code == 409
    assert "supprimée « engins »" in refused.json["error"]["siren"][0]
    assert created.status_code == 200, created.body


def test_the_epci_is_an_organization_typed_epci_with_a_siren(territory):
    assert roles.is_epci(roles.organization("ccmv"))
    assert not roles.is_epci(roles.organization("engins"))
    # A commune's EPCI is the organization of its epci_siren, and only if
    # that organization is an EPCI.
    assert roles.epci_of(roles.organization("engins")).name == "ccmv"
    helpers.call_action(
        "organization_patch",
        context={"user": territory["people"]["sysadmin"]["name"]},
        id="ccmv",
        collectivite_type="syndicat",
    )
    assert roles.epci_of(roles.organization("engins")) is None


def test_a_new_organization_of_a_signed_up_user_cannot_exist(app, territory):
    """The probe's path to the EPCI's figures: a plain user made an
    organization typed "epci" with the EPCI's SIREN, then read every member
    commune's checklist scores and usage."""
    user = headers(territory["people"]["other"])

    created = app.post(
        "/api/3/action/organization_create",
        json={
            "name": "ma-ccmv",
            "title": "CCMV",
            "collectivite_type": "epci",
            "siren": "200030658",
        },
        headers=user,
    )
    dashboard = app.post(
        "/api/3/action/territoire_dashboard_show", json={"id": "ccmv"}, headers=user
    )

    assert created.status_code == 403
    assert dashboard.status_code == 403
