"""French first: the portal speaks French by default, and every UI string of
the extension has a compiled French translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_home_page_is_in_french_by_default(app):
    page = app.get("/")

    assert page.status_code == 200
    assert '<html lang="fr"' in page.body
    # The extension's own strings, translated...
    assert (
        "Les données ouvertes de la Communauté de Communes du Massif du Vercors"
        in page.body
    )
    assert "Catalogue partagé des données ouvertes de" in page.body
    # ...and CKAN's, from its French catalogue.
    assert "Jeux de données" in page.body


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_english_is_offered_under_its_prefix(app):
    page = app.get("/en/")

    assert page.status_code == 200
    assert "The open data of Communauté de Communes du Massif du Vercors" in page.body


@pytest.mark.ckan_config("ckanext.territoire.name", "Grenoble-Alpes Métropole")
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_home_page_names_the_configured_territory(app):
    page = app.get("/")

    assert "Les données ouvertes de Grenoble-Alpes Métropole" in page.body


def test_every_ui_string_has_a_compiled_french_translation():
    check = subprocess.run(
        [sys.executable, str(REPO / "dev" / "i18n.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert check.returncode == 0, check.stderr


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_harvest_pages_are_in_french_too(app, territory):
    """ckanext-harvest ships no French: its strings are translated in this
    extension's catalogue."""
    sysadmin = {"Authorization": territory["people"]["sysadmin"]["token"]}

    listing = app.get("/harvest", headers=sysadmin)
    form = app.get("/harvest/new", headers=sysadmin)

    assert "<title>Sources de moissonnage" in listing.body
    assert "Ajouter une source de moissonnage" in listing.body
    assert "Add Harvest Source" not in listing.body
    assert "Créer la source de moissonnage" in form.body
    # Both harvesters of the extension, by their French names.
    assert "Jeux de données sur data.gouv.fr" in form.body
    assert "Données de la commande publique (DECP)" in form.body
    # ckanext-harvest's labels written without gettext, in French here.
    assert "Type de source" in form.body
    assert "Source type" not in form.body
    assert ">Enregistrer</button>" in form.body


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.parametrize("role", ["sysadmin", "epci_admin"])
def test_a_national_decp_source_opens_the_form_filled(app, territory, role):
    """The source form offers the national DECP sources: a link opens the
    form with the type, URL, title, the territory's buyers and the EPCI as
    owner, for the administrator to check and save."""
    import html
    import json
    from urllib.parse import parse_qs, urlsplit

    from bs4 import BeautifulSoup

    user = {"Authorization": territory["people"][role]["token"]}
    form = BeautifulSoup(app.get("/harvest/new", headers=user).body, "html.parser")
    presets = form.select(".territoire-harvest-presets a")
    labels = [a.get_text(strip=True) for a in presets]
    assert labels == [
        "Consolidation tabulaire nationale (recommandée)",
        "Fichiers JSON consolidés du ministère de l'Économie",
    ]
    # Without a preset, the EPCI is preselected (not the first commune).
    selected = form.select_one("#field-organizations option[selected]")
    assert selected is not None
    assert selected["value"] == territory["epci"]["id"]

    link = html.unescape(presets[0]["href"])
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    filled = BeautifulSoup(app.get(link, headers=user).body, "html.parser")

    assert filled.select_one("#field-url")["value"] == (
        "https://www.data.gouv.fr/fr/datasets/608c055b35eb4e6ee20eb325/"
    )
    assert filled.select_one("input[name=source_type][value=decp]").has_attr("checked")
    config = json.loads(filled.select_one("#field-config").get_text())
    assert config == {
        "formats": ["parquet"],
        "buyers": ["213801533", "213805484", "243801024"],
    }
    assert query["owner_org"] == territory["epci"]["id"]
    chosen = filled.select_one("#field-organizations option[selected]")
    assert chosen["value"] == territory["epci"]["id"]
    assert filled.select_one("#field-frequency option[selected]")["value"] == "WEEKLY"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_about_page_describes_the_territory_not_ckan(app, territory):
    page = app.get("/about")

    assert page.status_code == 200
    assert (
        "Ce catalogue rassemble en un seul lieu les données ouvertes de la "
        "Communauté de Communes du Massif du Vercors" in page.body
    )
    for body in ("CC du Massif du Vercors", "Engins", "Villard-de-Lans"):
        assert body in page.body
    assert 'href="/guide-api"' in page.body
    assert "CKAN is the world" not in page.body


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_error_pages_are_in_french(app):
    unknown_url = app.get("/pas-de-page-ici")
    unknown_dataset = app.get("/dataset/jeu-qui-n-existe-pas")

    assert unknown_url.status_code == 404
    assert "404 Page introuvable" in unknown_url.body
    assert "Aucune page ne porte cette adresse" in unknown_url.body
    assert "Not Found" not in unknown_url.body
    assert "The requested URL" not in unknown_url.body
    assert unknown_dataset.status_code == 404
    assert "Jeu de données introuvable" in unknown_dataset.body
    assert "Retour à l'accueil" in unknown_dataset.body


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dates_with_hours_are_in_the_french_order(app):
    import datetime as dt

    from ckan.lib.helpers import helper_functions as h

    with app.flask_app.test_request_context("/"):
        text = h.render_datetime(dt.datetime(2026, 12, 4, 5, 31), with_hours=True)
        date_only = h.render_datetime(dt.datetime(2026, 12, 4, 5, 31))

    assert text.startswith("4 décembre 2026 à 05:31")
    assert date_only == "4 décembre 2026"
