"""The observatory's pages, as a visitor sees them (in French): figures, bars, gaps,
table, CSV export and method, the filters as a plain GET form."""

from __future__ import annotations

import csv
import io
import re

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("seeded")


def page(app, url, status=200):
    response = app.get(url, status=status)
    return BeautifulSoup(response.body, "html.parser")


def texts(soup, selector):
    """The text of each element, its runs of ordinary white space made one
    space (the non-breaking spaces of the French numbers stay)."""
    return [
        re.sub(r"[ \t\r\n]+", " ", e.get_text(" ", strip=True))
        for e in soup.select(selector)
    ]


def test_territory_page_shows_the_figures_charts_gaps_and_method(app):
    soup = page(app, "/observatory")

    figures = " ".join(texts(soup, ".territoire-observatory-figures"))
    assert "780\u202f000\u00a0€" in figures
    assert "36\u00a0% du montant (280\u202f000\u00a0€), 2,5 marchés" in figures
    bars = texts(soup, ".territoire-observatory-bars li")
    assert "2023 300\u202f000\u00a0€ · territoire : 67\u00a0%" in bars
    assert bars[2].startswith("Services informatiques")  # the largest domain
    gaps = texts(soup, ".territoire-observatory-gaps tbody th")
    assert gaps == [
        "72 — Services informatiques : conseil, développement, internet",
        "90 — Services d'assainissement, des déchets et de l'environnement",
    ]
    method = " ".join(texts(soup, ".territoire-observatory-method"))
    assert "38153, 38548" in method
    assert "jamais devinée" in method


def test_the_filters_are_a_get_form_that_narrows_the_figures(app):
    soup = page(app, "/observatory?commune=villard-de-lans&years=2024&group_by=cpv")

    form = soup.select_one("form.territoire-observatory-filters")
    assert form["method"] == "get"
    assert form.select_one("#commune option[selected]")["value"] == "villard-de-lans"
    rows = texts(soup, ".territoire-observatory-table tbody tr")
    assert rows[0].startswith("72 — Services informatiques")
    assert rows[-1].startswith("Total 2 340\u202f000\u00a0€")


def test_commune_page(app):
    soup = page(app, "/organization/engins/observatory?group_by=procedure")

    assert "Engins" in soup.select_one("h1").get_text()
    assert soup.select_one("#commune") is None  # the buyer is fixed
    rows = texts(soup, ".territoire-observatory-table tbody tr")
    assert rows[-1].startswith("Total 3 380\u202f000\u00a0€")


def test_bad_filter_is_explained_and_ignored(app):
    soup = page(app, "/observatory?years=20x4")

    alert = " ".join(texts(soup, ".alert-danger"))
    assert "years" in alert and "n'est pas une année" in alert
    assert "780\u202f000" in " ".join(texts(soup, ".territoire-observatory-figures"))


def test_csv_export_follows_the_filters(app):
    response = app.get("/observatory.csv?group_by=year&procedure=Procédure adaptée")

    assert response.headers["Content-Type"].startswith("text/csv")
    # The file says what it holds, and opens right in a French spreadsheet.
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="observatoire-territoire-year-procedures-'
        'procedure-adaptee.csv"'
    )
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))
    assert [(r["annee"], r["contrats"], r["montant"]) for r in rows] == [
        ("2023", "1", "100000"),
        ("2024", "2", "120000"),
        ("total", "3", "220000"),
    ]
    assert rows[1]["montant_territoire"] == "80000"
    assert rows[1]["montant_inconnue"] == "40000"
    plain = app.get(
        "/observatory.csv?group_by=year&procedure=Procédure adaptée&separateur=virgule"
    )
    rows = list(csv.DictReader(io.StringIO(plain.get_data(as_text=True))))
    assert rows[0]["montant"] == "100000.0"


def test_the_home_page_gives_the_observatorys_headline(app):
    stats = helpers.call_action("territoire_procurement_stats")
    share = stats["total"]["territory"]["amount_share"]

    soup = page(app, "/")

    (headline,) = soup.select(".territoire-home-headline a")
    assert headline["href"] == "/observatory"
    # Rounded half up, as Jinja's round does.
    assert headline.strong.get_text(strip=True) == f"{int(share * 100 + 0.5)} %"
