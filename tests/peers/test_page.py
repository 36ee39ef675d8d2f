"""The observatory page's section "Parmi les territoires comparables", in
French, and its empty state before any national figures."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from ckanext.opendata_territoire.peers import refresh

pytestmark = pytest.mark.usefixtures("clean_db")


def section(app, url="/observatory"):
    soup = BeautifulSoup(app.get(url, status=200).body, "html.parser")
    found = soup.select_one("section.territoire-peers")
    assert found is not None
    return found, re.sub(r"\s+", " ", found.get_text(" ", strip=True))


def test_before_any_refresh_the_section_says_where_the_figures_come_from(app):
    found, text = section(app)

    assert found.select_one("h2").get_text() == "Parmi les territoires comparables"
    assert "Les chiffres nationaux ne sont pas encore calculés" in text
    assert "ckan territoire peers refresh" in text
    assert found.select_one(".territoire-peers-chart") is None


def test_the_section_places_the_territory_among_its_peers(app, national):
    path, _epcis = national
    refresh.refresh(str(path))

    found, text = section(app)

    assert "est comparée aux communautés de communes de" in text
    assert "la consolidation nationale donne des marchés de 12 d'entre elles" in text
    headline = found.select_one(".territoire-peers-headline").get_text(" ", strip=True)
    assert "Les entreprises du territoire remportent" in headline
    assert "médiane des territoires comparables" in headline
    lines = found.select(".territoire-peers-chart li")
    assert len(lines) == 8
    first = re.sub(r"\s+", " ", lines[0].get_text(" ", strip=True))
    assert first.startswith(
        "Part du montant remportée par les entreprises du territoire"
    )
    assert "rang" in first and "médiane nationale" in first
    assert found.select_one(".territoire-peers-dot") is not None
    rows = found.select(".territoire-peers-table tbody tr")
    assert len(rows) == 10
    link = found.select_one("a[href^='/observatory/peers.csv']")
    assert link is not None
    summary = found.select_one("details summary").get_text()
    assert re.fullmatch(r"Les [\d\u202f]+ territoires comparables", summary)


def test_the_filters_apply_and_a_year_without_contracts_says_so(app, national):
    path, _epcis = national
    refresh.refresh(str(path))

    found, text = section(app, "/observatory?years=2019")

    assert "aucun marché" in text
    assert found.select_one(".territoire-peers-chart") is None


def test_a_buyers_page_has_no_section(app, territory):
    soup = BeautifulSoup(
        app.get("/organization/engins/observatory", status=200).body, "html.parser"
    )
    assert soup.select_one("section.territoire-peers") is None
