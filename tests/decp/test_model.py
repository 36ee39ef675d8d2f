"""The contract model: the same values from both formats, modifications
applied in date order with the current state kept, concessions told apart,
one flat row per contract."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp.model import COLUMN_NAMES, Holder
from tests.decp.conftest import (
    EXAMPLES,
)
from tests.decp.library import _library_only  # noqa: F401
from tests.decp.test_cleaning import MARCHE_2019, MARCHE_2022


def contract(record, version="2019", kind="marche"):
    cleaned = decp.clean(version, kind, copy.deepcopy(record), dt.date(2026, 6, 1))
    return decp.contract_from(cleaned)


def test_uid_is_the_buyers_siret_then_the_id():
    c = contract(MARCHE_2019)

    assert c.uid == "213805484000112021000123"
    assert c.buyer_siren == "213805484"


def test_modifications_are_applied_in_date_order_whatever_their_order():
    record = copy.deepcopy(MARCHE_2019)
    record["modifications"] = [
        {  # the later one, listed first
            "objetModification": "Avenant 2",
            "dateNotificationModification": "2022-09-01",
            "datePublicationDonneesModification": "2022-09-05",
            "montant": 60000,
        },
        {
            "objetModification": "Avenant 1: durée et titulaire",
            "dateNotificationModification": "2022-01-10",
            "datePublicationDonneesModification": "2022-01-12",
            "montant": 50000,
            "dureeMois": 18,
            "titulaires": [
                {
                    "typeIdentifiant": "SIRET",
                    "id": "55204599900877",
                    "denominationSociale": "B",
                }
            ],
        },
    ]

    c = contract(record)

    assert [m.objet for m in c.modifications] == [
        "Avenant 1: durée et titulaire",
        "Avenant 2",
    ]
    assert [m.number for m in c.modifications] == [1, 2]
    # The current state: the latest amount, the duration and titulaire of the
    # first modification (the second does not change them).
    assert (c.montant, c.duree_mois) == (60000, 18)
    assert c.holders == [Holder("55204599900877", "SIRET", "B")]
    # The initial state is kept.
    assert (c.initial_montant, c.initial_duree_mois) == (45000.5, 12)
    assert c.initial_holders == [Holder("55204599900869", "SIRET", "Neige Services")]
    assert c.last_modified == dt.date(2022, 9, 1)
    row = c.row()
    assert (row["montant"], row["montantInitial"]) == (60000, 45000.5)
    assert row["modifications_nombre"] == 2
    assert row["dateDerniereModification"] == "2022-09-01"
    assert row["titulaires_id"] == "55204599900877"


def test_2022_modifications_ordered_by_date_then_id():
    record = copy.deepcopy(MARCHE_2022)
    record["modifications"] = [
        {"modification": {"id": 2, "dateNotificationModification": "2025-03-01",
                          "datePublicationDonneesModification": "2025-03-02",
                          "montant": 150000}},
        {"modification": {"id": 1, "dateNotificationModification": "2025-03-01",
                          "datePublicationDonneesModification": "2025-03-02",
                          "montant": 130000, "dureeMois": 30}},
    ]  # fmt: skip

    c = contract(record, "2022")

    assert [m.id for m in c.modifications] == [1, 2]
    assert (c.montant, c.duree_mois) == (150000, 30)


def test_concessions_are_told_apart():
    path = EXAMPLES / "2022-v2" / "concessions_avec_modifications.json"
    with path.open("rb") as fp:
        first, _second = decp.read_contracts(fp)

    assert first.kind == decp.CONCESSION
    row = first.row()
    assert row["type"] == "Contrat de concession"
    assert row["acheteur_id"] == "12345678901250"  # the autorité concédante
    assert row["dateNotification"] == "2024-04-02"  # its signature
    assert row["dateDebutExecution"] == "2024-04-01"
    assert (row["montantInitial"], row["montant"]) == (10.3, 25.0)  # valeurGlobale
    assert (row["dureeMoisInitiale"], row["dureeMois"]) == (12, 14)
    assert row["titulaires_id"] == "38103128500491; 38103128500574"
    assert row["montantSubventionPublique"] == 0.5


def test_2019_and_2022_rows_have_the_same_columns():
    rows = [contract(MARCHE_2019).row(), contract(MARCHE_2022, "2022").row()]

    for row in rows:
        assert list(row) == COLUMN_NAMES
    assert rows[0]["format"] == "2019" and rows[1]["format"] == "2022"
    assert rows[0]["acheteur_nom"] == "Commune de Villard-de-Lans"
    assert rows[0]["titulaires_denominationSociale"] == "Neige Services"
    assert rows[1]["ccag"] == "Travaux"
    assert rows[1]["modalitesExecution"] == "Bons de commande"


def test_row_hash_changes_with_the_content_only():
    a, b = contract(MARCHE_2019).row(), contract(MARCHE_2019).row()
    changed = contract(dict(MARCHE_2019, montant=45001)).row()

    assert a["empreinte"] == b["empreinte"]
    assert changed["empreinte"] != a["empreinte"]
    json.dumps(a)  # a row is JSON as it is (the DataStore takes it)


def test_anomalies_column_lists_the_rules_applied():
    dirty = dict(MARCHE_2019, dureeMois="NC", procedure="procédure adaptée")

    assert contract(dirty).row()["anomalies"] == "enumeration; not_communicated"
    assert contract(MARCHE_2019).row()["anomalies"] is None


def test_duplicate_key_is_uid_titulaires_and_date():
    base = contract(MARCHE_2019)
    other_date = contract(dict(MARCHE_2019, dateNotification="2021-03-05"))
    other_object = contract(dict(MARCHE_2019, objet="Autre objet"))

    assert base.dedup_key() == other_object.dedup_key()
    assert base.dedup_key() != other_date.dedup_key()


def test_read_contracts_from_bytes():
    data = json.dumps({"marches": [MARCHE_2019]}).encode()

    (c,) = decp.read_contracts(io.BytesIO(data))

    assert c.objet == "Déneigement des voiries communales"
