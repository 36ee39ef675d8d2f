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
