"""The cleaning rules, one defect of the real files at a time: what is
mended, what is removed, what is rejected, and how each is reported."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from ckanext.opendata_territoire.decp import CONCESSION, MARCHE, V2019, V2022
from ckanext.opendata_territoire.decp.cleaning import (
    REJECTIONS,
    RULES,
    Rejected,
    clean,
    match_enumeration,
)
from tests.decp.library import _library_only  # noqa: F401

TODAY = dt.date(2026, 6, 15)

MARCHE_2019 = {
    "id": "2021000123",
    "acheteur": {"id": "21380548400011", "nom": "Commune de Villard-de-Lans"},
    "nature": "Marché",
    "objet": "Déneigement des voiries communales",
    "codeCPV": "90620000",
    "procedure": "Procédure adaptée",
    "lieuExecution": {"code": "38548", "typeCode": "Code commune", "nom": "Villard"},
    "dureeMois": 12,
    "dateNotification": "2021-03-04",
    "datePublicationDonnees": "2021-03-10",
    "montant": 45000.5,
    "formePrix": "Ferme",
    "titulaires": [
        {
            "typeIdentifiant": "SIRET",
            "id": "55204599900869",
            "denominationSociale": "Neige Services",
        }
    ],
    "modifications": [],
}

MARCHE_2022 = {
    "id": "2024-0042",
    "acheteur": {"id": "21380548400011"},
    "nature": "Marché",
    "objet": "Travaux de voirie",
    "codeCPV": "45233140",
    "techniques": {"technique": ["Sans objet"]},
    "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
    "marcheInnovant": False,
    "ccag": "Travaux",
    "offresRecues": 3,
    "attributionAvance": False,
    "typeGroupementOperateurs": "Pas de groupement",
    "sousTraitanceDeclaree": False,
    "procedure": "Appel d'offres ouvert",
    "lieuExecution": {"code": "38548", "typeCode": "Code commune"},
    "dureeMois": 24,
    "dateNotification": "2024-05-15",
    "datePublicationDonnees": "2024-05-20",
    "montant": 120000,
    "typesPrix": {"typePrix": ["Définitif ferme"]},
    "formePrix": "Forfaitaire",
    "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "55204599900869"}}],
    "considerationsSociales": {
        "considerationSociale": ["Pas de considération sociale"]
    },
    "considerationsEnvironnementales": {
        "considerationEnvironnementale": ["Pas de considération environnementale"]
    },
}


def cleaned(record, version=V2019, kind=MARCHE):
    result = clean(version, kind, copy.deepcopy(record), today=TODAY)
    return result.record, [(i.rule, i.field, i.before, i.after) for i in result.issues]


def with_(base, **changes):
    record = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def test_a_clean_record_is_left_as_it_is():
    for version, record in ((V2019, MARCHE_2019), (V2022, MARCHE_2022)):
        result, issues = cleaned(record, version)
        assert result == record
        assert issues == []


def test_flat_buyer_id_is_put_back_in_its_object():
    record = with_(MARCHE_2019, acheteur=None)
    record["acheteur.id"] = "21380548400011"

    result, issues = cleaned(record)

    assert result["acheteur"] == {"id": "21380548400011"}
    assert "acheteur.id" not in result
    assert issues == [("flat_buyer_id", "acheteur", "acheteur.id", "acheteur")]


def test_titulaires_nested_in_lists_are_flattened():
    record = with_(MARCHE_2019, titulaires=[MARCHE_2019["titulaires"]])

    result, issues = cleaned(record)

    assert result["titulaires"] == MARCHE_2019["titulaires"]
    assert [i[0] for i in issues] == ["nested_titulaires"]


def test_titulaires_of_2022_are_rewrapped():
    record = with_(
        MARCHE_2022, titulaires=[{"typeIdentifiant": "SIRET", "id": "55204599900869"}]
    )

    result, issues = cleaned(record, V2022)

    assert result["titulaires"] == MARCHE_2022["titulaires"]
    assert [i[0] for i in issues] == ["list_layout"]


def test_not_communicated_values_are_removed():
    record = with_(MARCHE_2019, dureeMois="NC", objet="nc")

    result, issues = cleaned(record)

    assert "dureeMois" not in result and "objet" not in result
    assert sorted(issues) == [
        ("not_communicated", "dureeMois", "NC", None),
        ("not_communicated", "objet", "nc", None),
    ]


@pytest.mark.parametrize(
    ("value", "after", "rule"),
    [
        ("0222-04-29", "2022-04-29", "bad_date"),  # two digits swapped
        ("5021-02-18", "2021-02-18", "bad_date"),  # first digit wrong
        ("2921-11-19", "2021-11-19", "bad_date"),  # second digit wrong
        ("September, 16 2021 00:00:00", "2021-09-16", "bad_date"),
        ("16/09/2021", "2021-09-16", "bad_date"),
        ("2021-09-16T00:00:00", "2021-09-16", "bad_date"),
        ("0002-11-30", "2002-11-30", "bad_date"),
        ("1900-01-01", None, "bad_date"),  # nothing plausible
        ("0000-00-00", None, "bad_date"),
        ("2021-02-30", None, "bad_date"),
        ("hier", None, "bad_date"),
        ("2026-12-01", None, "future_date"),
    ],
)
def test_impossible_and_future_dates(value, after, rule):
    result, issues = cleaned(with_(MARCHE_2019, dateNotification=value))

    assert result.get("dateNotification") == after
    assert issues == [(rule, "dateNotification", value, after)]


def test_a_date_with_its_time_zone_is_valid_in_2019():
    record = with_(MARCHE_2019, dateNotification="2018-07-10+02:00")

    result, issues = cleaned(record)

    assert result["dateNotification"] == "2018-07-10+02:00"
    assert issues == []


def test_execution_may_start_in_the_future():
    concession = {
        "id": "2026C01",
        "autoriteConcedante": {"id": "21380548400011"},
        "nature": "Délégation de service public",
        "dateSignature": "2026-01-10",
        "datePublicationDonnees": "2026-01-20",
        "dateDebutExecution": "2027-01-01",
        "valeurGlobale": 1200000,
        "concessionnaires": [],
        "modifications": [],
    }
    result, issues = cleaned(concession, V2019, CONCESSION)

    assert result["dateDebutExecution"] == "2027-01-01"
    assert issues == []


@pytest.mark.parametrize("amount", [1.0e17, -5, 10_000_000_001])
def test_absurd_amounts_are_removed(amount):
    result, issues = cleaned(with_(MARCHE_2019, montant=amount))

    assert "montant" not in result
    assert issues == [("absurd_amount", "montant", amount, None)]


def test_siret_with_spaces_is_compacted_and_the_type_completed():
    record = with_(
        MARCHE_2019,
        acheteur={"id": "213 805 484 00011", "nom": "Villard"},
        titulaires=[
            {
                "typeIdentifiant": "SIRET",
                "id": "  55204599900869",
                "denominationSociale": "A",
            },
            {"id": "552 045 999 00877", "denominationSociale": "B"},
            {
                "typeIdentifiant": "TVA",
                "id": "FR 12 345678901",
                "denominationSociale": "C",
            },
        ],
    )

    result, issues = cleaned(record)

    assert result["acheteur"]["id"] == "21380548400011"
    assert [t["id"] for t in result["titulaires"]] == [
        "55204599900869",
        "55204599900877",
        "FR 12 345678901",  # a VAT number keeps its form
    ]
    assert result["titulaires"][1]["typeIdentifiant"] == "SIRET"
    assert [i[:2] for i in issues] == [
        ("siret_spaces", "acheteur.id"),
        ("siret_spaces", "titulaires[0].id"),
        ("siret_spaces", "titulaires[1].id"),
        ("identifier_type", "titulaires[1].typeIdentifiant"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "fixed"),
    [
        ("procedure", "procédure adaptée", "Procédure adaptée"),
        ("procedure", "APPEL D'OFFRES OUVERT", "Appel d'offres ouvert"),
        ("procedure", "Procedure adaptee", "Procédure adaptée"),
        ("nature", "Marche", "Marché"),
        ("nature", "subsequent", "Marché subséquent"),
        ("formePrix", "ferme et actualisable", "Ferme et actualisable"),
    ],
)
def test_lower_case_or_misspelt_enumerations_are_corrected(field, value, fixed):
    result, issues = cleaned(with_(MARCHE_2019, **{field: value}))

    assert result[field] == fixed
    assert issues == [("enumeration", field, value, fixed)]


def test_unknown_enumeration_values_are_removed():
    result, issues = cleaned(with_(MARCHE_2022, formePrix="Ferme"), V2022)

    assert "formePrix" not in result  # a 2019 value, unknown in 2022
    assert issues == [("unknown_enumeration", "formePrix", "Ferme", None)]


def test_enumerated_lists_of_2022():
    record = with_(
        MARCHE_2022,
        techniques={"technique": ["accord-cadre", "Vente aux enchères"]},
    )

    result, issues = cleaned(record, V2022)

    assert result["techniques"] == {"technique": ["Accord-cadre"]}
    assert issues == [
        ("enumeration", "techniques.technique[0]", "accord-cadre", "Accord-cadre"),
        ("unknown_enumeration", "techniques.technique[1]", "Vente aux enchères", None),
    ]


def test_numbers_and_booleans_written_as_text():
    record = with_(
        MARCHE_2022,
        dureeMois="36",
        montant="12 500,50",
        marcheInnovant="oui",
        offresRecues="beaucoup",
    )

    result, issues = cleaned(record, V2022)

    assert (result["dureeMois"], result["montant"], result["marcheInnovant"]) == (
        36,
        12500.5,
        True,
    )
    assert "offresRecues" not in result
    assert sorted(issues) == [
        ("bad_value", "offresRecues", "beaucoup", None),
        ("typed_text", "dureeMois", "36", 36),
        ("typed_text", "marcheInnovant", "oui", True),
        ("typed_text", "montant", "12 500,50", 12500.5),
    ]


@pytest.mark.parametrize(
    ("value", "after", "rule"),
    [
        ("45000000-7", "45000000-7", None),
        (4500000, "04500000", "cpv_format"),  # a number lost its leading zero
        ("45 000 000", "45000000", "cpv_format"),
        ("travaux", None, "bad_value"),
    ],
)
def test_cpv_codes(value, after, rule):
    result, issues = cleaned(with_(MARCHE_2019, codeCPV=value))

    assert result.get("codeCPV") == after
    assert [i[0] for i in issues] == ([rule] if rule else [])


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (with_(MARCHE_2019, id=None), "missing_id"),
        (with_(MARCHE_2019, id="NC"), "missing_id"),
        (with_(MARCHE_2019, acheteur=None), "missing_buyer"),
        (with_(MARCHE_2019, acheteur={"nom": "Mairie"}), "missing_buyer"),
        (with_(MARCHE_2019, acheteur={"id": "213805484"}), "invalid_buyer"),
        (["not", "a", "contract"], "not_an_object"),
    ],
)
def test_records_that_cannot_be_used_are_rejected(record, reason):
    with pytest.raises(Rejected) as rejected:
        clean(V2019, MARCHE, copy.deepcopy(record), today=TODAY)

    assert rejected.value.reason == reason
    assert reason in REJECTIONS


def test_a_rejection_names_the_contract_when_it_can():
    with pytest.raises(Rejected) as rejected:
        clean(V2019, MARCHE, with_(MARCHE_2019, acheteur={"id": "12"}), today=TODAY)

    assert rejected.value.contract_id == "2021000123"
    assert rejected.value.detail == "12"


def test_every_rule_is_described():
    assert all(RULES.values())
    assert set(RULES) >= {
        "flat_buyer_id",
        "nested_titulaires",
        "not_communicated",
        "bad_date",
        "future_date",
        "absurd_amount",
        "siret_spaces",
        "enumeration",
    }


def test_match_enumeration_refuses_what_is_too_far():
    allowed = ("Procédure adaptée", "Appel d'offres ouvert")
    assert match_enumeration("Procédure adaptée", allowed) == "Procédure adaptée"
    assert match_enumeration("procedure adaptee", allowed) == "Procédure adaptée"
    assert match_enumeration("Concours", allowed) is None
