"""The dataset form, as a commune secretary uses it: French sections and
labels, every field saved from the web form and shown back for editing, and
errors shown next to the field in French."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

FORM_FIELDS = {
    "title": "Délibérations du conseil municipal",
    "name": "deliberations-engins",
    "notes": "Toutes les délibérations depuis 2020.",
    "tag_string": "conseil,deliberations",
    "producer_service": "Secrétariat général",
    "contact_name": "Mairie d'Engins",
    "contact_email": "mairie@engins.fr",
    "license_id": "odc-odbl",
    "provenance": "Registre des délibérations",
    "legal_basis": "republique-numerique",
    "data_updated": "2024-11-30",
    "frequency": "monthly",
    "temporal_start": "2020-01-01",
    "temporal_end": "2024-11-30",
    "spatial_granularity": "fr:commune",
    "personal_data": "anonymised",
    "schema_name": "scdl/deliberations",
    "schema_version": "2.1.5",
    "data_temperature": "hot",
    "pivot_data": "false",
    "known_limits": "Les annexes ne sont pas publiées.",
}
RESOURCE_FIELDS = {
    "url": "https://www.engins.fr/deliberations.csv",
    "name": "Délibérations 2020-2024",
    "format": "CSV",
    "description": "Une ligne par délibération.",
    "schema_name": "scdl/deliberations",
    "schema_version": "2.1.5",
    "size": "20480",
    "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "last_modified": "2024-11-30T10:00",
}


@pytest.fixture
def secretary():
    """A sysadmin with an API token: CKAN 2.11 identifies web requests by it."""
    user = factories.SysadminWithToken()
    org = factories.Organization(name="engins", title="Engins")
    return {"headers": {"Authorization": user["token"]}, "org": org}


def create_through_the_form(app, secretary) -> None:
    response = app.post(
        "/dataset/new",
        headers=secretary["headers"],
        data={
            **FORM_FIELDS,
            "owner_org": secretary["org"]["id"],
            "private": "False",
            "theme": ["GOVE", "REGI"],
            "spatial_insee": ["38153", "243801024"],
            "_ckan_phase": "dataset_new_1",
            "pkg_name": "",
            "save": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 302, response.body
    assert "/dataset/deliberations-engins/resource/new" in response.location
    response = app.post(
        "/dataset/deliberations-engins/resource/new",
        headers=secretary["headers"],
        data={**RESOURCE_FIELDS, "save": "go-metadata", "id": ""},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.body


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_form_is_grouped_in_french_sections(app, secretary):
    page = app.get("/dataset/new", headers=secretary["headers"])

    soup = BeautifulSoup(page.body, "html.parser")
    headings = [h.get_text(strip=True) for h in soup.select("form h2")]
    assert headings == [
        "Ce que sont les données",
        "Qui les produit",
        "Conditions de réutilisation",
        "Fraîcheur et couverture",
        "Nature des données",
    ]
    labels = {
        label.get("for"): label.get_text(" ", strip=True)
        for label in soup.select("form label")
    }
    assert labels["field-personal_data"] == "* Données personnelles"
    assert labels["field-spatial_insee"] == "Territoire couvert (codes INSEE)"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_every_field_is_saved_from_the_web_form(app, secretary):
    create_through_the_form(app, secretary)

    dataset = helpers.call_action("package_show", id="deliberations-engins")
    for field, value in FORM_FIELDS.items():
        if field == "tag_string":
            assert sorted(t["name"] for t in dataset["tags"]) == [
                "conseil",
                "deliberations",
            ]
        else:
            assert dataset[field] == value, field
    assert dataset["theme"] == ["GOVE", "REGI"]
    assert dataset["spatial_insee"] == ["38153", "243801024"]
    assert dataset["state"] == "active"
    resource = dataset["resources"][0]
    for field, value in RESOURCE_FIELDS.items():
        if field == "size":
            assert resource["size"] == 20480
        elif field == "last_modified":
            assert resource["last_modified"].startswith("2024-11-30T10:00")
        else:
            assert resource[field] == value, field


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_edit_form_shows_every_saved_value(app, secretary):
    create_through_the_form(app, secretary)

    page = app.get("/dataset/edit/deliberations-engins", headers=secretary["headers"])

    soup = BeautifulSoup(page.body, "html.parser")
    form = soup.find("form", id="dataset-edit")
    for field, value in FORM_FIELDS.items():
        element = form.find(attrs={"name": field})
        if element.name == "select":
            assert element.find("option", selected=True)["value"] == value, field
        elif element.name == "textarea":
            assert element.get_text() == value, field
        elif field != "tag_string":
            assert element["value"] == value, field
    # The themes: a checkbox each, under the field's legend.
    themes = form.find_all("input", attrs={"name": "theme", "type": "checkbox"})
    assert len(themes) >= 13
    assert [t["value"] for t in themes if t.has_attr("checked")] == ["GOVE", "REGI"]
    legend = form.find("fieldset", id="field-theme").find("legend")
    assert legend.get_text(strip=True) == "Thèmes"
    # The fee's select asks the script that hides the fee's fields when free.
    fee = form.find("select", attrs={"name": "reuse_fee"})
    assert fee["data-module"] == "territoire-fee-fields"
    # One labelled text box holds the codes, separated by commas.
    insee = form.find_all("input", attrs={"name": "spatial_insee"})
    assert [i["value"] for i in insee] == ["38153, 243801024"]
    assert insee[0]["id"] == "field-spatial_insee"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_edit_through_the_form_changes_the_dataset(app, secretary):
    create_through_the_form(app, secretary)

    response = app.post(
        "/dataset/edit/deliberations-engins",
        headers=secretary["headers"],
        data={
            **FORM_FIELDS,
            "frequency": "annual",
            "owner_org": secretary["org"]["id"],
            "private": "False",
            "theme": ["GOVE"],
            "spatial_insee": ["38153"],
            "save": "",
        },
        follow_redirects=False,
    )

    assert response.status_code == 302, response.body
    dataset = helpers.call_action("package_show", id="deliberations-engins")
    assert dataset["frequency"] == "annual"
    assert dataset["theme"] == ["GOVE"]
    assert dataset["spatial_insee"] == ["38153"]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_form_errors_name_the_field_and_the_rule_in_french(app, secretary):
    response = app.post(
        "/dataset/new",
        headers=secretary["headers"],
        data={
            **FORM_FIELDS,
            "owner_org": secretary["org"]["id"],
            "private": "False",
            "contact_email": "mairie-engins.fr",
            "temporal_end": "2019-12-31",
            "personal_data": "contains",
            "_ckan_phase": "dataset_new_1",
            "pkg_name": "",
            "save": "",
        },
    )

    soup = BeautifulSoup(response.body, "html.parser")
    summary = " ".join(soup.select_one(".error-explanation").get_text(" ").split())
    assert (
        "E-mail de contact: « mairie-engins.fr » n'est pas une adresse e-mail valide"
        in summary
    )
    assert (
        "Période couverte, fin: La date de fin 2019-12-31 précède la date de début "
        "2020-01-01." in summary
    )
    assert (
        "Données personnelles: Un jeu de données public ne peut pas contenir de "
        "données personnelles" in summary
    )
    assert helpers.call_action("package_search")["count"] == 0
