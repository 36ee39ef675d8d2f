"""The dataset and resource pages show the fields that are filled, and only
them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def rows(page) -> dict[str, str]:
    soup = BeautifulSoup(page.body, "html.parser")
    return {
        row.th.get_text(strip=True): row.td.get_text(" ", strip=True)
        for row in soup.select("table tr")
        if row.th and row.td
    }


def test_a_linked_file_without_size_has_a_page(app, territory):
    dataset = factories.Dataset(owner_org=territory["a"]["id"], **dataset_fields())
    resource = factories.Resource(
        package_id=dataset["id"], url="https://engins.example/budget.csv", format="CSV"
    )

    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}")

    assert page.status_code == 200
    shown = rows(page)
    assert shown["Format"] == "CSV"
    assert "Taille (octets)" not in shown
    assert "Empreinte" not in shown
    assert not {"Position", "Has views", "Url type", "Package id"} & set(shown)


def test_a_file_with_a_size_shows_it(app, territory):
    dataset = factories.Dataset(owner_org=territory["a"]["id"], **dataset_fields())
    resource = factories.Resource(
        package_id=dataset["id"], url="https://engins.example/budget.csv", size=20480
    )

    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}")

    # CKAN's localised_filesize, with our French units (CKAN's says "20 kibi").
    assert rows(page)["Taille (octets)"] == "20 Kio"


def test_the_last_modification_reads_as_a_date(app, territory):
    dataset = factories.Dataset(
        owner_org=territory["a"]["id"], notes="Le budget primitif.", **dataset_fields()
    )
    resource = factories.Resource(
        package_id=dataset["id"],
        url="https://engins.example/budget.csv",
        last_modified="2024-05-02T09:30:00",
        description="",
    )

    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}")

    shown = rows(page)
    assert shown["Dernière modification de la donnée"] == "2 mai 2024"
    assert not any("2024-05-02T09:30" in value for value in shown.values())
    assert "Description du jeu de données :" in page.body


def test_the_dataset_page_lists_only_filled_fields(app, territory):
    dataset = factories.Dataset(
        owner_org=territory["a"]["id"], frequency="monthly", **dataset_fields()
    )

    shown = rows(app.get(f"/dataset/{dataset['name']}"))

    assert shown["Fréquence de mise à jour"] == "Mensuelle"
    assert "E-mail de contact" not in shown
    assert "Période couverte, début" not in shown


def test_the_forms_leave_out_what_the_system_fills_and_keep_it(app, territory):
    """A secretary does not see the DECP buyer's SIREN, the harvested page,
    a file's size, checksum and date in the forms; a save that leaves them
    out (as the forms do) keeps them."""
    from ckan.tests import helpers

    from tests.people import headers

    editor = territory["people"]["editor_a"]
    context = {"user": editor["name"]}
    dataset = factories.Dataset(
        owner_org=territory["a"]["id"],
        decp_buyer_siren="213801533",
        harvest_origin_url="https://www.data.gouv.fr/fr/datasets/x/",
        **dataset_fields(),
    )
    resource = factories.Resource(
        package_id=dataset["id"],
        url="https://engins.example/budget.csv",
        size=20480,
        hash="a" * 64,
        last_modified="2024-05-02T09:30:00",
    )

    dataset_form = app.get(f"/dataset/edit/{dataset['name']}", headers=headers(editor))
    resource_form = app.get(
        f"/dataset/{dataset['name']}/resource/{resource['id']}/edit",
        headers=headers(editor),
    )
    assert dataset_form.status_code == resource_form.status_code == 200
    assert 'name="title"' in dataset_form.body and 'name="url"' in resource_form.body
    for field in ("decp_buyer_siren", "harvest_origin_url"):
        assert f'name="{field}"' not in dataset_form.body
    for field in ("size", "hash", "last_modified"):
        assert f'name="{field}"' not in resource_form.body
    assert "Heure" not in resource_form.body and "Time:" not in resource_form.body

    shown = helpers.call_action("package_show", id=dataset["id"])
    edited = {
        k: v
        for k, v in shown.items()
        if k not in ("decp_buyer_siren", "harvest_origin_url")
    }
    edited["title"] = "Budget primitif"
    edited["resources"] = [
        {k: v for k, v in r.items() if k not in ("size", "hash", "last_modified")}
        for r in shown["resources"]
    ]
    helpers.call_action("package_update", context=dict(context), **edited)

    after = helpers.call_action("package_show", id=dataset["id"])
    assert after["title"] == "Budget primitif"
    assert after["decp_buyer_siren"] == "213801533"
    assert after["harvest_origin_url"] == "https://www.data.gouv.fr/fr/datasets/x/"
    (kept,) = after["resources"]
    assert (kept["size"], kept["hash"]) == (20480, "a" * 64)
    assert kept["last_modified"].startswith("2024-05-02T09:30")
