"""`ckan territoire suppliers refresh` (in French, the portal's language): the
register first (it wins over the
service), then the service for what is missing, failed or too old, with its
progress; resumable; unknown stays unknown."""

from __future__ import annotations

import re

import pytest
from ckan import model

from ckanext.opendata_territoire.observatory.model import Award
from ckanext.opendata_territoire.observatory.suppliers import (
    RegisterError,
    read_register,
)
from tests.observatory.conftest import (
    D1,
    E1,
    L1,
    L2,
    U1,
    contracts,
    import_contracts,
    refresh,
    register_dataset,
)

pytestmark = pytest.mark.usefixtures("clean_datastore", "with_request_context")


@pytest.fixture
def imported(territory, cli, sirene, tmp_path):
    import_contracts(cli, tmp_path / "decp.json", contracts())
    return territory


def localities():
    return {
        (a.siret, a.commune, a.category) for a in model.Session.query(Award) if a.siret
    }


def test_refresh_prints_its_progress_and_a_summary(cli, imported, sirene):
    register_dataset(imported)

    output = refresh(cli).output

    lines = output.splitlines()
    # The register's L2 is not asked; the TVA number is no SIRET.
    assert lines[:4] == [
        f"[1/4] {L1}: trouvé (ENGINS)",
        f"[2/4] {D1}: trouvé (GRENOBLE)",
        f"[3/4] {E1}: trouvé (LYON)",
        f"[4/4] {U1}: introuvable",
    ]
    assert "Registre des entreprises locales : 2 entreprises." in output
    assert "4 demandés, 3 trouvés, 1 introuvables, 0 erreurs" in output
    # The names now known written into the buyers' contracts tables.
    named = re.search(r"Noms des titulaires écrits dans (\d+) marchés\.", output)
    assert named and int(named[1]) > 0
    assert localities() == {
        (L1, "38153", "PME"),
        (L2, "38548", "PME"),  # the register, not the service's Paris
        (D1, "38185", "ETI"),
        (E1, "69123", "GE"),
        (U1, None, None),
        ("FR12345678901", None, None),
    }


def test_refresh_is_resumable_and_asks_only_what_is_missing(cli, imported, sirene):
    first = refresh(cli, "--limit", "2").output
    asked_first = list(sirene.requests)
    second = refresh(cli).output
    third = refresh(cli).output

    assert "3 restent pour la prochaine exécution" in first
    # Without a register, L2 is asked too: five SIRETs in all.
    assert "3 demandés" in second
    assert {q for q, _page in sirene.requests} == {L1, L2, D1, E1, U1}
    again = {q for q, _page in sirene.requests[len(asked_first) :]}
    assert again.isdisjoint({q for q, _page in asked_first})
    assert "0 demandés" in third


def test_failed_lookups_are_asked_again_and_keep_a_known_answer(cli, imported, sirene):
    refresh(cli)
    sirene.failures[E1] = [500]

    output = refresh(cli, "--max-age-days", "0").output

    assert f"{E1}: erreur (HTTP 500)" in output
    # The answer known before the failure stays.
    assert (E1, "69123", "GE") in localities()
    sirene.requests.clear()
    refresh(cli)
    assert (E1, 1) in sirene.requests


def test_old_answers_are_asked_again(cli, imported, sirene):
    refresh(cli)
    sirene.requests.clear()

    refresh(cli)
    assert sirene.requests == []
    refresh(cli, "--max-age-days", "0")
    assert len(sirene.requests) == 6  # five SIRETs, D1 on two pages


def test_register_csv_is_read_with_either_separator():
    text = (
        "siret,denomination,code_commune,categorie\n"
        "123 456 789 00012,A,38153,micro\n"
        "bad,B,38153,PME\n"
    )

    assert read_register(text) == [
        {"siret": "12345678900012", "name": "A", "commune": "38153", "category": "PME"}
    ]


def test_register_without_its_columns_is_refused():
    with pytest.raises(RegisterError, match="code_commune"):
        read_register("siret;nom\n12345678900012;A\n")
