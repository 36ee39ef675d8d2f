"""Each conversion of a value, and the values that cannot be converted,
reported with their row, column, value and reason. Pure: no CKAN."""

from __future__ import annotations

import io

import pytest

from ckanext.opendata_territoire.scdl_convert import convert
from ckanext.opendata_territoire.scdl_convert.convert import Mapping


def one(spec: dict, value: str) -> tuple[str, str | None]:
    return convert.FieldConverter(spec).convert(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/12/2025", "2025-12-03"),
        ("3/12/25", "2025-12-03"),
        ("03.12.2025", "2025-12-03"),
        ("3 décembre 2025", "2025-12-03"),
        ("mercredi 3 décembre 2025", "2025-12-03"),
        ("2025/12/03", "2025-12-03"),
    ],
)
def test_dates_are_written_in_iso(value, expected):
    assert one({"name": "D", "type": "date"}, value) == (expected, "date")


def test_an_iso_date_is_left_as_it_is():
    assert one({"name": "D", "type": "date"}, "2025-12-03") == ("2025-12-03", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 234,50", "1234.5"),
        ("1\u00a0234,50", "1234.5"),
        ("48\u202f320,75", "48320.75"),
        ("1.234.567,8", "1234567.8"),
        ("1 500,00 €", "1500"),
        ("12,5", "12.5"),
    ],
)
def test_numbers_lose_their_comma_and_thousand_separators(value, expected):
    assert one({"name": "M", "type": "number"}, value) == (expected, "number")


def test_a_percentage_becomes_a_share_when_the_schema_wants_one():
    spec = {"name": "P", "type": "number", "constraints": {"maximum": 1}}
    assert one(spec, "45 %") == ("0.45", "number")


@pytest.mark.parametrize(("value", "expected"), [("Oui", "oui"), ("NON", "non")])
def test_yes_and_no_are_the_schema_values(value, expected):
    spec = {
        "name": "B",
        "type": "boolean",
        "trueValues": ["oui"],
        "falseValues": ["non"],
    }
    assert one(spec, value) == (expected, "boolean")


def test_a_siret_loses_its_spaces():
    spec = {"name": "S", "type": "string", "constraints": {"pattern": r"^\d{14}$"}}
    assert one(spec, "213 801 533 00011") == ("21380153300011", "identifier")


def test_an_insee_code_gets_back_its_leading_zero():
    spec = {
        "name": "I",
        "type": "string",
        "constraints": {"pattern": convert.INSEE_PATTERN},
    }
    assert one(spec, "1004") == ("01004", "identifier")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Budget Primitif", "budget primitif"),
        ("decision modificative", "décision modificative"),
        ("recettes", "recette"),
    ],
)
def test_list_values_are_matched_to_the_schema_spelling(value, expected):
    spec = {
        "name": "E",
        "type": "string",
        "constraints": {
            "enum": ["budget primitif", "décision modificative", "recette"]
        },
    }
    assert one(spec, value) == (expected, "enum")


def test_unconvertible_values_are_listed_with_row_column_value_and_reason():
    descriptor = {
        "fields": [
            {"name": "DATE", "type": "date"},
            {"name": "SENS", "type": "string", "constraints": {"enum": ["recette"]}},
        ]
    }
    out = io.StringIO()
    report = convert.convert(
        ["Date", "Sens"],
        [["32/13/2025", "recette"], ["01/02/2025", "virement"]],
        descriptor,
        Mapping(columns={"DATE": "Date", "SENS": "Sens"}),
        out,
    )
    assert report.problems == [
        {
            "row": 2,
            "column": "Date",
            "field": "DATE",
            "value": "32/13/2025",
            "reason": "date",
        },
        {
            "row": 3,
            "column": "Sens",
            "field": "SENS",
            "value": "virement",
            "reason": "enum",
        },
    ]
    # The value is kept as it was, so that nothing is lost.
    assert out.getvalue().splitlines()[1] == "32/13/2025,recette"


def test_empty_rows_are_left_out_and_counted():
    descriptor = {"fields": [{"name": "A", "type": "string"}]}
    out = io.StringIO()
    report = convert.convert(
        ["a"], [["x"], ["", ""], ["  y "]], descriptor, Mapping({"A": "a"}), out
    )
    assert report.rows == 2
    assert report.changes["empty_row"] == 1
    assert report.changes["trimmed"] == 1
    assert report.examples["trimmed"] == [
        {"column": "a", "before": "  y ", "after": "y"}
    ]
