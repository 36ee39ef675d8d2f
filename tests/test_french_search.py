"""Searching in French (the Solr configuration dev/solr starts): a search
finds datasets written with other words of the same meaning (the synonyms
of conf/synonyms.txt: "restauration scolaire" finds "cantine", "achats
publics" finds "marchés publics"), and elisions are ignored ("l'école" is
found by "école", and "école" by "l'école")."""

from __future__ import annotations

import pytest
from ckan.tests import factories, helpers

from tests.conftest import shared_request_context
from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def catalogue(territory):
    made = {}
    with shared_request_context():
        for name, title, notes in (
            ("menus", "Menus de la cantine", "Les repas servis aux enfants."),
            ("marches", "Marchés publics — Engins", "Les contrats de la commune."),
            ("travaux", "Travaux de l'école", "Rénovation de l'école primaire."),
            ("budget", "Budget primitif", "Le budget voté par le conseil."),
        ):
            made[name] = factories.Dataset(
                owner_org=territory["a"]["id"], name=name, title=title, notes=notes,
                **dataset_fields(),
            )  # fmt: skip
    return made


def found(query: str) -> set[str]:
    result = helpers.call_action("package_search", q=query, rows=50)
    return {d["name"] for d in result["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("restauration scolaire", "menus"),
        ("cantine", "menus"),
        ("achats publics", "marches"),
        ("commande", "marches"),
        ("école", "travaux"),
        ("l'école", "travaux"),
        ("finances", "budget"),
    ],
)
def test_a_french_search_finds_its_synonyms_and_ignores_elisions(
    catalogue, query, expected
):
    assert expected in found(query)


def test_synonyms_do_not_find_everything(catalogue):
    assert found("restauration scolaire") == {"menus"}
    assert "menus" not in found("achats publics")
