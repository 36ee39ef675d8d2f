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
    # The national DECP sources, the tabular consolidation recommended, with
    # the configuration to paste.
    assert "Recommandé : la consolidation tabulaire" in form.body
    assert "datasets/608c055b35eb4e6ee20eb325/" in form.body
    assert '<code>{"formats": ["parquet"]}</code>' in form.body
