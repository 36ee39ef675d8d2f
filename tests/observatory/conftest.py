"""The observatory's test data: a local SIRENE search service, and a small
seeded territory whose figures are computed by hand in test_stats.py.

The seeded contracts (2022 format), imported through `ckan territoire decp
import` like real ones:

| # | buyer | year | CPV | procedure | amount | offers | titulaires |
| 1 | Engins | 2023 | 45 | Procédure adaptée | 100,000 | 1 | L1 |
| 2 | Engins | 2023 | 71 | Appel d'offres ouvert | 200,000 | 3 | L1, E1 |
| 3 | Engins | 2024 | 45 | Procédure adaptée | 50,000 → 80,000 | 2 | D1 → L2 |
| 4 | Villard | 2024 | 72 | Appel d'offres ouvert | 300,000 | 1 | E1 |
| 5 | Villard | 2024 | 72 | Procédure adaptée | 40,000 | — | U1 |
| 5 again (published twice) |
| 6 | CCMV | 2024 | 90 | Appel d'offres ouvert | 60,000 | 4 | D1, a TVA number |

(3: one modification changes the amount and the titulaire.) L1: Engins,
PME (service); L2: Villard-de-Lans, TPE (the register, which wins over the
service's Paris, GE); D1: Grenoble, ETI (service, second page); E1: Lyon, GE
(service, the siège); U1: unknown to the service (404).
"""

from __future__ import annotations

import copy
import io
import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from tests.conftest import cli_runner, shared_request_context
from tests.decp.test_cleaning import MARCHE_2022
from tests.factories import dataset_fields
from tests.observatory import fake_sirene

ENGINS = "21380153300017"
VILLARD = "21380548400011"
CCMV = "24380102400016"

L1 = "11111111100011"
L2 = "22222222200022"
D1 = "33333333300033"
E1 = "44444444400044"
U1 = "55555555500055"
TVA = "FR12345678901"

REGISTER = (
    "siret;denomination;code_commune;categorie\n"
    f"{L2};Terrassements du Vercors;38548;TPE\n"
    "77777777700077;Boulangerie d'Engins;38153;TPE\n"
)


@pytest.fixture
def sirene(ckan_config, monkeypatch):
    fake, server = fake_sirene.start()
    monkeypatch.setitem(ckan_config, "ckanext.territoire.sirene_url", fake.url)
    monkeypatch.setitem(ckan_config, "ckanext.territoire.sirene_rate", 1000)
    yield fake
    server.shutdown()
    server.server_close()


def holder(siret, kind="SIRET"):
    return {"titulaire": {"typeIdentifiant": kind, "id": siret}}


def marche(number, buyer, year, cpv, procedure, amount, offers, holders, **more):
    record = copy.deepcopy(MARCHE_2022)
    record.update(
        id=f"{year}-{number:04d}",
        acheteur={"id": buyer},
        codeCPV=cpv,
        procedure=procedure,
        montant=amount,
        dateNotification=f"{year}-03-0{number}",
        datePublicationDonnees=f"{year}-03-1{number}",
        titulaires=holders,
        **more,
    )
    if offers is None:
        record.pop("offresRecues")
    else:
        record["offresRecues"] = offers
    return record


def contracts():
    third = marche(
        3, ENGINS, 2024, "45000000", "Procédure adaptée", 50000, 2, [holder(D1)]
    )
    third["modifications"] = [
        {
            "modification": {
                "id": 1,
                "dateNotificationModification": "2024-06-01",
                "datePublicationDonneesModification": "2024-06-05",
                "montant": 80000,
                "titulaires": [holder(L2)],
            }
        }
    ]
    fifth = marche(
        5, VILLARD, 2024, "72500000", "Procédure adaptée", 40000, None, [holder(U1)]
    )
    return [
        marche(
            1, ENGINS, 2023, "45233140", "Procédure adaptée", 100000, 1, [holder(L1)]
        ),
        marche(
            2,
            ENGINS,
            2023,
            "71000000",
            "Appel d'offres ouvert",
            200000,
            3,
            [holder(L1), holder(E1)],
        ),
        third,
        marche(
            4,
            VILLARD,
            2024,
            "72000000",
            "Appel d'offres ouvert",
            300000,
            1,
            [holder(E1)],
        ),
        fifth,
        copy.deepcopy(fifth),
        marche(
            6,
            CCMV,
            2024,
            "90000000",
            "Appel d'offres ouvert",
            60000,
            4,
            [holder(D1), holder(TVA, "TVA")],
        ),
    ]


def import_contracts(cli, path, marches):
    path.write_text(
        json.dumps({"marches": {"marche": marches}}, ensure_ascii=False),
        encoding="utf-8",
    )
    result = cli.invoke(ckan_command, ["territoire", "decp", "import", str(path)])
    assert result.exit_code == 0, result.output
    return result


def register_dataset(territory, text=REGISTER):
    sysadmin = territory["people"]["sysadmin"]["name"]
    dataset = factories.Dataset(
        name="registre-entreprises-locales",
        owner_org=territory["epci"]["id"],
        **dataset_fields(),
    )
    helpers.call_action(
        "resource_create",
        {"user": sysadmin},
        package_id=dataset["id"],
        name="Registre",
        format="CSV",
        upload=FileStorage(io.BytesIO(text.encode("utf-8")), "registre.csv"),
    )
    return dataset


def refresh(cli, *args):
    result = cli.invoke(ckan_command, ["territoire", "suppliers", "refresh", *args])
    assert result.exit_code == 0, result.output
    return result


def seed(territory, cli, tmp_path) -> None:
    """Imports the seeded contracts, publishes the register, refreshes the
    suppliers (from the SIRENE stand-in the configuration points at)."""
    import_contracts(cli, tmp_path / "decp.json", contracts())
    register_dataset(territory)
    refresh(cli)


@pytest.fixture(scope="module")
def seeded(module_territory, tmp_path_factory):
    """The seeded territory, made once for a module whose tests only read
    it (a test that writes belongs in a module using ``fresh_seeded``)."""
    fake, server = fake_sirene.start()
    try:
        with pytest.MonkeyPatch.context() as patch, shared_request_context():
            patch.setitem(tk.config, "ckanext.territoire.sirene_url", fake.url)
            patch.setitem(tk.config, "ckanext.territoire.sirene_rate", 1000)
            seed(module_territory, cli_runner(patch), tmp_path_factory.mktemp("seeded"))
    finally:
        server.shutdown()
        server.server_close()
    return module_territory


@pytest.fixture
def fresh_seeded(
    clean_datastore, with_request_context, territory, cli, sirene, tmp_path
):
    """The seeded territory, made for the test alone, which may change it."""
    seed(territory, cli, tmp_path)
    return territory
