"""The home page is the territory's front page: who publishes (the EPCI and
its communes, each with its count of public datasets and a link), a search
box, the newest datasets, the themes in use, the observatory's headline
figure; helpful empty states on an empty catalogue."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from tests.conftest import shared_request_context
from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def text_of(body: str) -> str:
    return BeautifulSoup(body, "html.parser").get_text(" ", strip=True)


def test_the_home_page_shows_the_territory(app, territory):
    with shared_request_context():
        for title, theme in (("Menus de la cantine", "EDUC"), ("Budget 2025", "GOVE")):
            factories.Dataset(
                owner_org=territory["a"]["id"], title=title, theme=[theme],
                **dataset_fields(),
            )  # fmt: skip

    page = app.get("/")

    assert page.status_code == 200
    soup = BeautifulSoup(page.body, "html.parser")
    bodies = {
        li.a.get_text(strip=True): li.select_one(".badge").get_text(strip=True)
        for li in soup.select("[aria-labelledby=home-bodies] li")
    }
    assert bodies["Engins"] == "2"
    assert bodies["Villard-de-Lans"] == "0"
    assert bodies["CC du Massif du Vercors"] == "0"  # the EPCI, first
    assert next(iter(bodies)) == "CC du Massif du Vercors"
    newest = [a.get_text(strip=True) for a in soup.select(".territoire-home-newest a")]
    assert set(newest) == {"Menus de la cantine", "Budget 2025"}
    themes = soup.select("[aria-labelledby=home-themes] a")
    assert len(themes) == 2
    for link in themes + soup.select("[aria-labelledby=home-bodies] a"):
        assert app.get(link["href"]).status_code == 200, link["href"]
    search = soup.select_one("form.territoire-home-search")
    assert search["action"] == "/dataset/"
    assert "2 jeux de données publics" in text_of(page.body)


def test_an_empty_catalogue_says_so(app, territory):
    page = app.get("/")

    text = text_of(page.body)
    assert "Pas encore de jeu de données public." in text
    assert "Pas encore de thème." in text
    assert "0 jeu de données public" in text
