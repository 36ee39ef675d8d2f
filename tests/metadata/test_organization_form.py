"""An organization is a collectivité: its fields round-trip through the web
form and the action API."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

FIELDS = {
    "title": "Villard-de-Lans",
    "name": "villard-de-lans",
    "description": "Commune de la CCMV.",
    "image_url": "https://www.villard-de-lans.fr/logo.png",
    "collectivite_type": "commune",
    "insee_code": "38548",
    "siren": "213805484",
    "population": "4170",
    "agents_count": "62",
    "epci_siren": "243801024",
    "website": "https://www.villard-de-lans.fr",
    "contact_email": "mairie@villard-de-lans.fr",
    "dpo_contact": "dpo@villard-de-lans.fr",
}
INTEGERS = {"population", "agents_count"}


@pytest.fixture
def headers():
    return {"Authorization": factories.SysadminWithToken()["token"]}


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_every_organization_field_is_saved_from_the_web_form(app, headers):
    response = app.post(
        "/organization/new",
        headers=headers,
        data={**FIELDS, "save": ""},
        follow_redirects=False,
    )

    assert response.status_code == 302, response.body
    org = helpers.call_action("organization_show", id="villard-de-lans")
    for field, value in FIELDS.items():
        expected = int(value) if field in INTEGERS else value
        assert org[field] == expected, field


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_organization_edit_form_shows_every_saved_value(app, headers):
    helpers.call_action(
        "organization_create",
        context={"user": factories.Sysadmin()["name"]},
        **FIELDS,
    )

    page = app.get("/organization/edit/villard-de-lans", headers=headers)

    form = BeautifulSoup(page.body, "html.parser").select_one("form.dataset-form")
    for field, value in FIELDS.items():
        element = form.find(attrs={"name": field})
        if element.name == "select":
            assert element.find("option", selected=True)["value"] == value, field
        elif element.name == "textarea":
            assert element.get_text() == value, field
        else:
            assert element["value"] == value, field


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_organization_page_shows_its_collectivite_fields_in_french(app):
    helpers.call_action(
        "organization_create",
        context={"user": factories.Sysadmin()["name"]},
        **FIELDS,
    )

    page = app.get("/organization/about/villard-de-lans")

    text = " ".join(BeautifulSoup(page.body, "html.parser").get_text(" ").split())
    assert "Type d'organisme public Commune" in text
    assert "Code INSEE 38548" in text
    assert "SIREN 213805484" in text
    assert "Population 4170" in text
    assert "SIREN de son EPCI 243801024" in text
