"""The forecast of planned purchases in CKAN: entered by an organization's
admins (API and form), imported from a spreadsheet, published as a dataset
with one CSV resource in the DataStore that follows the shipped Table
Schema, and merged into the contracts to come."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from ckan.lib import uploader
from ckan.tests import helpers
from frictionless import Resource, Schema

from ckanext.opendata_territoire.future import publication
from tests.future.test_forecast_checks import xlsx_bytes
from tests.people import ROLES, headers, user_of

YEAR = dt.date.today().year + 1
ENTRY = {
    "object": "Rénovation de l'école maternelle",
    "cpv_division": "45",
    "amount_band": "medium",
    "quarter": f"{YEAR}-T2",
    "procedure": "Procédure adaptée",
    "contact_name": "Service des marchés",
    "contact_email": "marches@engins.example",
    "contact_phone": "04 76 00 00 00",
    "notes": "Visite du site prévue.",
}
KEYS = {
    "id",
    "buyer",
    "buyer_title",
    "object",
    "cpv_division",
    "cpv_label",
    "amount_band",
    "amount_band_label",
    "quarter",
    "quarter_label",
    "procedure",
    "contact",
    "notes",
    "estimated",
    "source",
}


@pytest.fixture
def territory_db(clean_datastore, territory):
    return territory


def as_user(territory, role, action, **params):
    return helpers.call_action(
        action, context={"user": territory["people"][role]["name"]}, **params
    )


def published(org="engins"):
    org_id = helpers.call_action("organization_show", id=org)["id"]
    dataset = publication.find_dataset(org_id)
    assert dataset is not None
    (resource,) = dataset["resources"]
    records = helpers.call_action(
        "datastore_search", resource_id=resource["id"], sort="objet"
    )["records"]
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    with open(path, "rb") as stream:
        content = stream.read()
    return dataset, resource, records, content


def test_an_admin_adds_a_planned_purchase_published_in_the_catalogue(territory_db):
    entry = as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_create",
        organization="engins",
        **ENTRY,
    )

    assert set(entry) == KEYS
    assert (entry["buyer"], entry["buyer_title"]) == ("engins", "Engins")
    assert (entry["cpv_label"], entry["quarter"]) == (
        "Travaux de construction",
        f"{YEAR}-Q2",
    )
    assert (entry["estimated"], entry["source"]) == (False, "forecast")
    assert entry["contact"] == {
        "name": "Service des marchés",
        "email": "marches@engins.example",
        "phone": "04 76 00 00 00",
    }
    dataset, resource, records, content = published()
    assert dataset["title"] == "Achats prévus — Engins"
    assert (dataset["license_id"], dataset["private"]) == ("lov2", False)
    assert (resource["format"], resource["datastore_active"]) == ("CSV", True)
    assert resource["schema"].endswith("/achats-prevus/schema.json")
    assert [r["objet"] for r in records] == [ENTRY["object"]]
    assert records[0]["tranche_montant_libelle"] == "de 40 000 € à 221 000 €"
    # For French spreadsheets: a byte-order mark and ";".
    assert content.startswith(b"\xef\xbb\xbfid;acheteur_nom;acheteur_siren;objet;")


def test_the_published_csv_follows_the_shipped_table_schema(territory_db):
    as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_create",
        organization="engins",
        **ENTRY,
    )
    as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_create",
        organization="engins",
        object="=Cantine",
        cpv_division="15",
        amount_band="small",
        quarter=f"{YEAR}-T4",
    )
    _dataset, _resource, _records, content = published()

    report = Resource(
        data=content,
        format="csv",
        encoding="utf-8-sig",
        schema=Schema.from_descriptor(publication.table_schema()),
    ).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    # A text that would start a formula is written inert.
    assert b";'=Cantine;" in content


def test_changes_are_published_again(territory_db):
    entry = as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_create",
        organization="engins",
        **ENTRY,
    )
    as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_update",
        id=entry["id"],
        object="Toiture de l'école",
    )
    _d, _r, records, content = published()
    assert [r["objet"] for r in records] == ["Toiture de l'école"]
    assert "Toiture de l'école".encode() in content

    as_user(territory_db, "admin_a", "territoire_forecast_delete", id=entry["id"])
    dataset, _r, records, content = published()
    assert records == []
    assert content.count(b"\r\n") == 1  # the header only
    assert dataset["state"] == "active"


def test_a_failed_publication_keeps_what_was_published(territory_db, monkeypatch):
    entry = as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_create",
        organization="engins",
        **ENTRY,
    )
    before = published()

    def broken(rows):
        raise OSError("disk full")

    monkeypatch.setattr(publication, "csv_bytes", broken)
    as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_update",
        id=entry["id"],
        object="Toiture",
    )

    after = published()
    assert (after[2], after[3]) == (before[2], before[3])
    # The entry itself is saved: the next publication writes it.
    listed = helpers.call_action("territoire_forecast_list", organization="engins")
    assert [e["object"] for e in listed["entries"]] == ["Toiture"]


def test_only_the_organizations_admins_edit_its_forecast(app, territory_db):
    def tried(org, role):
        response = app.post(
            "/api/3/action/territoire_forecast_create",
            json={"organization": org, **ENTRY},
            headers=headers(user_of(territory_db, role)),
        )
        assert response.status_code in (200, 403), response.body[:3000]
        return response.status_code == 200

    assert {role for role in ROLES if tried("engins", role)} == {"admin_a", "sysadmin"}
    # The EPCI's admins edit the EPCI's own forecast, not the communes'.
    assert {role for role in ROLES if tried("ccmv", role)} == {"epci_admin", "sysadmin"}

    entry = as_user(
        territory_db,
        "sysadmin",
        "territoire_forecast_create",
        organization="ccmv",
        **ENTRY,
    )
    for action, params in [
        ("territoire_forecast_update", {"object": "Voirie"}),
        ("territoire_forecast_delete", {}),
    ]:
        allowed = set()
        for role in ROLES:
            response = app.post(
                f"/api/3/action/{action}",
                json={"id": entry["id"], **params},
                headers=headers(user_of(territory_db, role)),
            )
            if response.status_code == 200:
                allowed.add(role)
                if action.endswith("delete"):
                    break
        assert allowed <= {"epci_admin", "sysadmin"}
        assert "epci_admin" in allowed


def test_the_contracts_to_come_carry_the_forecast(territory_db):
    def add(org, quarter, division="45", band="medium"):
        return as_user(
            territory_db,
            "sysadmin",
            "territoire_forecast_create",
            organization=org,
            object=f"{org} {quarter}",
            cpv_division=division,
            amount_band=band,
            quarter=quarter,
        )

    add("engins", f"{YEAR}-T1")
    add("villard-de-lans", f"{YEAR}-T3", "90", "small")
    add("ccmv", f"{YEAR + 2}-T4")
    today = f"{YEAR}-02-15"

    def objects(**params):
        found = helpers.call_action(
            "territoire_future_contracts", today=today, **params
        )
        assert found["forecast_count"] == len(found["forecast"])
        return [e["object"] for e in found["forecast"]]

    # T1 overlaps the window although it started before today.
    assert objects() == [f"engins {YEAR}-T1", f"villard-de-lans {YEAR}-T3"]
    assert objects(months=1) == [f"engins {YEAR}-T1"]
    assert objects(cpv="45") == [f"engins {YEAR}-T1"]
    assert objects(buyer="villard-de-lans") == [f"villard-de-lans {YEAR}-T3"]
    assert objects(amount_band="small") == [f"villard-de-lans {YEAR}-T3"]
    found = helpers.call_action("territoire_future_contracts", today=today)
    assert set(found["forecast"][0]) == KEYS
    assert found["count"] == 0  # the renewals, unchanged


def test_the_form_adds_and_names_the_fields_in_error(app, territory_db):
    admin = headers(territory_db["people"]["admin_a"])
    page = app.get("/organization/engins/achats-prevus", headers=admin)
    assert "Aucun achat prévu" in page.body or "No planned purchase yet" in page.body
    org_page = app.get("/organization/engins", headers=admin)
    assert "/organization/engins/achats-prevus" in org_page.body

    wrong = app.post(
        "/organization/engins/achats-prevus",
        data={**ENTRY, "object": "", "contact_email": "marches", "quarter": "2"},
        headers=admin,
    )
    assert wrong.status_code == 200
    assert "marches" in wrong.body
    assert 'id="field-object"' in wrong.body
    assert wrong.body.count("error-block") >= 2

    good = app.post(
        "/organization/engins/achats-prevus",
        data={**ENTRY, "quarter": "2", "year": str(YEAR)},
        headers=admin,
        follow_redirects=False,
    )
    assert good.status_code == 302
    page = app.get("/organization/engins/achats-prevus", headers=admin)
    assert ENTRY["object"].replace("'", "&#39;") in page.body


def test_the_import_keeps_the_good_rows_and_lists_the_bad_ones(app, territory_db):
    admin = headers(territory_db["people"]["admin_a"])
    as_user(
        territory_db,
        "admin_a",
        "territoire_forecast_create",
        organization="engins",
        **ENTRY,
    )
    sheet = xlsx_bytes(
        [
            ["Objet", "Division CPV", "Tranche de montant", "Année", "Trimestre"],
            ["Voirie du hameau", "45", "small", YEAR, 3],
            ["Chauffage", "45", "medium", YEAR, 9],
        ]
    )

    response = app.post(
        "/organization/engins/achats-prevus/import",
        data={"mode": "replace", "upload": (io.BytesIO(sheet), "prevus.xlsx")},
        headers=admin,
    )

    assert response.status_code == 200
    assert "Voirie du hameau" in response.body
    assert "Chauffage" not in response.body.split("<caption")[0]
    report = response.body.split("<caption")[1]
    assert "<td>3</td><td>Trimestre</td><td>9</td>" in report
    listed = helpers.call_action("territoire_forecast_list", organization="engins")
    assert [e["object"] for e in listed["entries"]] == ["Voirie du hameau"]
    _d, _r, records, _content = published()
    assert [r["objet"] for r in records] == ["Voirie du hameau"]


def test_the_demo_forecast_is_published_once(territory_db, cli):
    from ckan.cli.cli import ckan as ckan_command

    command = ["territoire", "future", "seed-demo", "--epci", "243801024"]
    first = cli.invoke(ckan_command, command)
    assert first.exit_code == 0, first.output
    again = cli.invoke(ckan_command, command)
    assert again.exit_code == 0, again.output

    listed = helpers.call_action("territoire_forecast_list")
    assert listed["count"] == 7  # the EPCI's 3, Engins' 2, Villard-de-Lans' 2
    assert sum(e["cpv_division"] == "45" for e in listed["entries"]) == 4
    _d, _r, records, _content = published("ccmv")
    assert len(records) == 3
