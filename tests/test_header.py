"""Every page is headed by the territory's name (and its logo when one is
set on this portal), not CKAN's, with the portal's menu: datasets, public
bodies, the procurement observatory, reuses, the API guide, about."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def header(body: str):
    return BeautifulSoup(body, "html.parser").select_one("header")


@pytest.mark.parametrize("role", ["anonymous", "editor_a"])
def test_the_header_names_the_territory_and_its_menu(app, territory, role):
    user = None if role == "anonymous" else territory["people"][role]

    page = app.get("/dataset/", headers=headers(user))

    top = header(page.body)
    assert "Communauté de Communes du Massif du Vercors" in top.get_text()
    assert "ckan-logo" not in str(top)
    menu = [a.get_text(strip=True) for a in top.select("nav a")]
    for entry in (
        "Jeux de données",
        "Collectivités",
        "Marchés publics",
        "Réutilisations",
        "API",
        "À propos",
    ):
        assert entry in menu, menu
    for link in top.select("nav a"):
        assert app.get(link["href"]).status_code == 200, link["href"]


@pytest.mark.ckan_config(
    "ckanext.territoire.logo", "/base/images/placeholder-organization.png"
)
def test_a_configured_logo_heads_the_page(app, territory):
    page = app.get("/")

    (image,) = header(page.body).select(".territoire-logo img")
    assert image["src"] == "/base/images/placeholder-organization.png"


@pytest.mark.ckan_config("ckanext.territoire.logo", "https://cdn.example.org/logo.png")
def test_a_logo_on_another_host_is_not_shown(app, territory):
    page = app.get("/")

    assert header(page.body).select(".territoire-logo img") == []
