"""The spreadsheets a town hall keeps (fixtures/make.py), one per priority
SCDL schema: the schema recognised, every column that has a counterpart
mapped to it, the converted file valid against the schema (frictionless),
each change counted. Pure: no CKAN."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from frictionless import Resource, Schema

from ckanext.opendata_territoire.scdl_convert import convert, mapping, read, schemas
from ckanext.opendata_territoire.scdl_convert.recognise import recognise

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENGINS = {"title": "Engins", "siret": "21380153300018", "insee_code": "38153"}

# file -> (schema, column -> field, changes by kind)
FILES = {
    "deliberations.ods": (
        "scdl/deliberations",
        {
            "N° délibération": "DELIB_ID",
            "Date de la séance": "DELIB_DATE",
            "Objet": "DELIB_OBJET",
            "Code matière": "DELIB_MATIERE_CODE",
            "Matière": "DELIB_MATIERE_NOM",
            "Membres en exercice": "VOTE_EFFECTIF",
            "Votants": "VOTE_REEL",
            "Pour": "VOTE_POUR",
            "Contre": "VOTE_CONTRE",
            "Abstentions": "VOTE_ABSTENTION",
            "Transmis en préfecture le": "PREF_DATE",
            "Lien": "DELIB_URL",
        },
        # 6 text dates of the séance, 12 of the préfecture; 6 codes "7,1";
        # 12 préfecture dates followed by a space, 2 objets.
        {"date": 18, "number": 6, "trimmed": 14, "organization": 24},
    ),
    "budget.xlsx": (
        "scdl/budget",
        {
            "Exercice": "BGT_ANNEE",
            "Étape": "BGT_NATDEC",
            "Section": "BGT_SECTION",
            "Réel / ordre": "BGT_OPBUDG",
            "Recette / dépense": "BGT_CODRD",
            "Chapitre": "BGT_CONTNAT",
            "Libellé chapitre": "BGT_CONTNAT_LABEL",
            "Compte": "BGT_NATURE",
            "Libellé compte": "BGT_NATURE_LABEL",
            "Fonction": "BGT_FONCTION",
            "Montant voté": "BGT_MTPREV",
        },
        # Every amount has a comma or spaces; "budget  primitif " on 4 rows;
        # étape, section, réel and sens spelt their own way.
        {"number": 8, "trimmed": 6, "enum": 24, "organization": 16},
    ),
    "subventions.xlsx": (
        "scdl/subventions",
        {
            "Date de la convention": "dateConvention",
            "N° délibération": "referenceDecision",
            "Bénéficiaire": "nomBeneficiaire",
            "SIRET": "idBeneficiaire",
            "N° RNA": "rnaBeneficiaire",
            "Objet": "objet",
            "Montant accordé (€)": "montant",
            "Nature de l'aide": "nature",
            "Versement": "conditionsVersement",
            "Date de versement": "datesPeriodeVersement",
            "Notifiée UE": "notificationUE",
            "Taux": "pourcentageSubvention",
        },
        {
            "date": 10,
            "number": 9,
            "boolean": 3,
            "identifier": 2,
            "enum": 4,
            "trimmed": 7,
            "organization": 10,
        },
    ),
    "equipements.ods": (
        "scdl/equipements",
        {
            "Identifiant": "EQUIP_UID",
            "Thème": "EQUIP_THEME",
            "Code équipement": "EQUIP_CODE",
            "Type": "EQUIP_TYPE",
            "Nom": "EQUIP_NOM",
            "Numéro": "ADR_NUMERO",
            "Voie": "ADR_NOMVOIE",
            "Code postal": "ADR_CODEPOSTAL",
            "Commune": "ADR_COMMUNE",
            "Latitude": "EQUIP_LAT",
            "Longitude": "EQUIP_LONG",
            "Courriel": "EQUIP_EMAIL",
            "Site web": "EQUIP_WEB",
        },
        {"number": 10, "enum": 3, "trimmed": 1, "organization": 10},
    ),
    "menus-collectifs.xlsx": (
        "scdl/menus-collectifs",
        {
            "Date": "menuDate",
            "Repas": "menuRepasType",
            "Type de plat": "menuPlatType",
            "Plat": "menuPlatNom",
            "Restaurant": "menuRestaurantNom",
            "Établissement": "menuEtablissementNom",
            "Type de restaurant": "menuRestaurantType",
            "Convives": "menuRestaurantConvive",
            "Prix": "menuPlatPrix",
        },
        {"date": 4, "number": 2, "enum": 19, "trimmed": 2, "organization": 21},
    ),
}


def table(name: str) -> read.Table:
    path = FIXTURES / name
    return read.sample(str(path), read.file_format(name))


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_schema_of_each_spreadsheet_is_recognised(name):
    found = table(name)
    ranked = recognise(found.header, found.sample, schemas.descriptors())
    assert ranked[0].name == FILES[name][0]
    assert ranked[0].score > ranked[1].score + 0.3
    # The reason shown: every column of the file found in the schema.
    assert len(ranked[0].matched) == len(found.header)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_column_with_a_counterpart_is_proposed_for_it(name):
    schema_name, expected, _ = FILES[name]
    found = table(name)
    schema = schemas.get(schema_name)
    assert schema is not None
    proposal = mapping.propose(
        found.header, found.sample, schema.descriptor, schema_name, ENGINS
    )
    assert {column: field for field, column in proposal.mapping.columns.items()} == (
        expected
    )


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_commune_fields_come_from_the_organization(name):
    schema_name = FILES[name][0]
    found = table(name)
    schema = schemas.get(schema_name)
    assert schema is not None
    proposal = mapping.propose(
        found.header, found.sample, schema.descriptor, schema_name, ENGINS
    )
    values = proposal.mapping.values
    assert "Engins" in values.values()
    assert "21380153300018" in values.values()
    assert proposal.mapping.organization <= set(values)


def converted(name: str) -> tuple[convert.Report, str]:
    schema_name = FILES[name][0]
    found = table(name)
    schema = schemas.get(schema_name)
    assert schema is not None
    proposal = mapping.propose(
        found.header, found.sample, schema.descriptor, schema_name, ENGINS
    )
    rows = read.rows(str(FIXTURES / name), read.file_format(name))
    next(rows)
    out = io.StringIO()
    report = convert.convert(
        found.header, rows, schema.descriptor, proposal.mapping, out
    )
    return report, out.getvalue()


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_converted_file_is_valid_against_its_schema(name, tmp_path):
    report, text = converted(name)
    assert report.problem_count == 0
    (tmp_path / "converted.csv").write_text(text, encoding="utf-8")
    schema = schemas.get(FILES[name][0])
    assert schema is not None
    resource = Resource(
        path="converted.csv",
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(schema.descriptor),
    )
    outcome = resource.validate()
    assert outcome.valid, outcome.flatten(["rowNumber", "fieldName", "message"])


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_change_is_counted(name):
    report, _ = converted(name)
    expected = FILES[name][2]
    assert {k: v for k, v in report.changes.items() if v and k != "fixed"} == expected
