"""Validation of CSV files against three SCDL schemas (deliberations,
subventions, budget) with frictionless: the valid files pass, the invalid
ones report each error with its row, column and value, and each error reads
as a problem and how to correct it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ckanext.opendata_territoire.quality import content, validation

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def schema(name: str) -> dict:
    return json.loads((FIXTURES / "schemas" / f"{name}.schema.json").read_text())


def validate(name: str, kind: str) -> dict:
    path = FIXTURES / "files" / f"{name}_{kind}.csv"
    text, encoding = content.decode(path.read_bytes())
    separator = content.delimiter(text.splitlines()[0])
    return validation.validate_table(str(path), schema(name), encoding, separator)


def errors(report: dict) -> list[tuple]:
    return [(e["code"], e["row"], e["field"], e["value"]) for e in report["errors"]]


@pytest.mark.parametrize(
    ("name", "rows", "columns"),
    [("deliberations", 3, 17), ("subventions", 2, 16), ("budget", 2, 22)],
)
def test_a_valid_file_conforms(name, rows, columns):
    report = validate(name, "valid")

    assert report["valid"] is True
    assert (report["rows"], report["columns"]) == (rows, columns)
    assert report["errors"] == []
    assert report["extra_columns"] == report["missing_columns"] == []


def test_invalid_deliberations():
    report = validate("deliberations", "invalid")

    assert report["valid"] is False
    assert (report["rows"], report["columns"], report["error_count"]) == (3, 13, 6)
    assert errors(report) == [
        ("missing-label", None, "DELIB_MATIERE_NOM", None),
        ("constraint-error", 2, "COLL_SIRET", "2138015330"),
        ("type-error", 2, "DELIB_DATE", "15/01/2024"),
        ("constraint-error", 3, "DELIB_OBJET", ""),
        ("type-error", 3, "VOTE_EFFECTIF", "quinze"),
        ("constraint-error", 4, "BUDGET_ANNEE", "2023-2024"),
    ]
    # Optional columns may be absent.
    assert report["missing_columns"] == [
        "BUDGET_NOM",
        "PREF_ID",
        "PREF_DATE",
    ]


def test_invalid_subventions_with_semicolons():
    report = validate("subventions", "invalid")

    assert report["delimiter"] == ";"
    assert errors(report) == [
        ("constraint-error", 2, "rnaBeneficiaire", "381234567"),
        ("type-error", 2, "montant", "1 500,00"),
        ("constraint-error", 2, "nature", "subvention"),
        ("constraint-error", 2, "pourcentageSubvention", "25"),
        ("constraint-error", 3, "datesPeriodeVersement", "mars 2024"),
        ("type-error", 3, "notificationUE", "peut-être"),
    ]
    assert [e.get("constraint") for e in report["errors"]] == [
        "pattern",
        None,
        "enum",
        "maximum",
        "pattern",
        None,
    ]


def test_invalid_budget():
    report = validate("budget", "invalid")

    assert errors(report) == [
        ("constraint-error", 2, "BGT_NATDEC", "BP"),
        ("type-error", 3, "BGT_ANNEE", "24"),
        ("constraint-error", 3, "BGT_SECTION", "Fonctionnement"),
        ("type-error", 3, "BGT_MTPREV", "210 000 €"),
    ]


def test_columns_the_schema_does_not_know_are_reported_not_refused(tmp_path):
    path = tmp_path / "budget.csv"
    original = (FIXTURES / "files" / "budget_valid.csv").read_text()
    header, *rows = original.splitlines()
    path.write_text(
        "\n".join([header + ",COMMENTAIRE", *(row + ",vu" for row in rows)]) + "\n"
    )

    report = validation.validate_table(str(path), schema("budget"), "utf-8", ",")

    assert report["valid"] is True
    assert report["extra_columns"] == ["COMMENTAIRE"]


def described(name, kind):
    return [validation.describe(e) for e in validate(name, kind)["errors"]]


def test_each_error_says_what_is_wrong_and_how_to_correct_it():
    messages = described("deliberations", "invalid")

    assert messages[0] == (
        'The column "DELIB_MATIERE_NOM" is missing.',
        'Add a column named exactly "DELIB_MATIERE_NOM": the schema requires it.',
    )
    assert messages[1] == (
        'Row 2, column "COLL_SIRET": "2138015330" does not have the expected form.',
        "Expected form: like 21860194600013.",
    )
    assert messages[2] == (
        'Row 2, column "DELIB_DATE": "15/01/2024" is not a date.',
        "Write dates as YYYY-MM-DD, e.g. 2024-01-15.",
    )
    assert messages[3] == (
        'Row 3: the column "DELIB_OBJET" is required and empty.',
        "Fill it in on every row.",
    )
    assert messages[4][0] == (
        'Row 3, column "VOTE_EFFECTIF": "quinze" is not a whole number.'
    )


def test_enumerations_and_ranges_name_what_is_allowed():
    messages = described("subventions", "invalid")

    assert messages[1] == (
        'Row 2, column "montant": "1 500,00" is not a number.',
        "Write a number with a dot as decimal separator, without spaces or units, "
        "e.g. 1250.50.",
    )
    assert messages[2] == (
        'Row 2, column "nature": "subvention" is not one of the allowed values.',
        'Allowed values: "aide en numéraire", "aide en nature", '
        '"aide en numéraire;aide en nature", "aide en nature;aide en numéraire".',
    )
    assert messages[3] == (
        'Row 2, column "pourcentageSubvention": 25 is out of range.',
        "The largest value allowed is 1.",
    )


def test_the_budget_schemas_examples_guide_the_correction():
    messages = described("budget", "invalid")

    assert messages[1] == (
        'Row 3, column "BGT_ANNEE": "24" is not a year.',
        "Write a year with four digits, e.g. 2024.",
    )


def test_a_file_of_another_table_reports_that_no_column_matches(tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("a,b\n1,2\n")

    report = validation.validate_table(str(path), schema("budget"), "utf-8", ",")

    assert report["errors"][0]["code"] == "unmatched-header"
    assert validation.describe(report["errors"][0])[0] == (
        "None of the columns of the schema is in the file."
    )


def test_a_broken_schema_is_an_error_of_the_schema(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a\n1\n")

    with pytest.raises(validation.SchemaError):
        validation.validate_table(
            str(path), {"fields": [{"name": "a", "type": "nope"}]}, "utf-8", ","
        )
