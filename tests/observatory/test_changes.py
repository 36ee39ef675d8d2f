"""The observatory's figures and pages after the catalogue changes: a new
import, a buyer's dataset made private, an organization renamed or added.
Each test seeds its own territory (``fresh_seeded``); the read-only tests
share one (test_stats.py, test_page.py)."""

from __future__ import annotations

import csv
import io

import pytest
from ckan.tests import helpers

from tests.observatory.conftest import (
    E1,
    ENGINS,
    contracts,
    holder,
    import_contracts,
    marche,
)
from tests.observatory.test_page import page
from tests.observatory.test_stats import part, stats

pytestmark = pytest.mark.usefixtures("fresh_seeded")


def test_a_new_import_updates_the_figures(cli, tmp_path):
    changed = contracts()
    changed[3] = marche(
        4,
        "21380548400011",
        2024,
        "72000000",
        "Appel d'offres ouvert",
        500000,
        1,
        [holder(E1)],
    )
    changed.append(
        marche(7, ENGINS, 2025, "45000000", "Procédure adaptée", 10000, 2, [])
    )

    import_contracts(cli, tmp_path / "again.json", changed)

    total = stats()["total"]
    assert (total["contracts"], total["amount"]) == (7, 990000)
    # 7 has no titulaire: its locality is unknown.
    assert part(total, "unknown") == (2.5, 80000)


def test_a_buyer_whose_procurement_dataset_is_private_leaves_the_public_figures(
    app,
):
    """The probe made Engins' procurement dataset private: its 3 contracts
    still fed the figures and the CSV. The figures count what visitors can
    read; the dataset made public again brings them back."""
    from ckanext.opendata_territoire.decp.publish import DATASET_FIELD

    site_user = helpers.call_action("get_site_user")["name"]
    engins = helpers.call_action(
        "organization_show", id="engins", include_datasets=True
    )
    (dataset,) = [d for d in engins["packages"] if d.get(DATASET_FIELD)]

    def publish(private):
        helpers.call_action(
            "package_patch",
            context={"user": site_user},
            id=dataset["id"],
            private=private,
        )

    publish(True)
    hidden = stats(group_by="commune")
    exported = app.get("/observatory.csv?group_by=commune").get_data(as_text=True)
    publish(False)
    shown = stats()["total"]

    assert (hidden["total"]["contracts"], hidden["total"]["amount"]) == (3, 400000)
    assert "engins" not in {g["key"] for g in hidden["groups"]}
    assert "Engins" not in exported
    assert (shown["contracts"], shown["amount"]) == (6, 780000)


def test_csv_labels_cannot_become_spreadsheet_formulas(app):
    from ckan.tests import helpers

    evil = '=HYPERLINK("http://evil.example/","Engins")'
    site_user = helpers.call_action("get_site_user")["name"]
    helpers.call_action(
        "organization_patch", context={"user": site_user}, id="engins", title=evil
    )

    response = app.get("/observatory.csv?group_by=commune")

    text = response.get_data(as_text=True).removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    labels = [r["libelle"] for r in rows]
    assert "'" + evil in labels
    assert evil not in labels


def test_an_organization_that_buys_nothing_has_no_page(app):
    from ckan.tests import factories

    factories.Organization(name="association")

    page(app, "/organization/association/observatory", status=404)
    page(app, "/organization/nowhere/observatory", status=404)
