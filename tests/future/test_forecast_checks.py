"""The forecast's rules on plain values: what the form, the API and the
spreadsheet import accept, and what they say when a value breaks a rule."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from ckanext.opendata_territoire.future import forecast, publication, spreadsheet
from ckanext.opendata_territoire.observatory import cpv

TODAY = dt.date(2026, 5, 10)


def checked(**values):
    base = {
        "object": "Réfection de la toiture de l'école",
        "cpv_division": "45",
        "amount_band": "medium",
        "quarter": "2026-T3",
    }
    return forecast.check({**base, **values}, TODAY)


def test_a_complete_entry():
    result = checked(
        procedure="procedure adaptee",
        contact_email="marches@engins.fr",
        contact_phone="04 76 00 00 00",
    )
    assert result.errors == {}
    assert result.fields["procedure"] == "Procédure adaptée"
    assert (result.fields["year"], result.fields["quarter"]) == (2026, 3)


@pytest.mark.parametrize(
    ("value", "division"),
    [
        ("45", "45"),
        ("45233140-2", "45"),
        (3000000, "03"),
        ("Travaux de construction", "45"),
    ],
)
def test_cpv_division_from_a_division_a_code_or_a_title(value, division):
    assert forecast.division_of(value) == division


@pytest.mark.parametrize(
    ("value", "band"),
    [
        ("small", "small"),
        ("moins de 40 000 €", "small"),
        ("De 40 000 € à 221 000 €", "medium"),
        (35000, "small"),
        ("250 000 € HT", "large"),
        ("1 million d'€ et plus", "very_large"),
    ],
)
def test_amount_band_from_a_key_a_label_or_an_amount(value, band):
    assert forecast.band_of(value) == band


@pytest.mark.parametrize(
    ("value", "year", "expected"),
    [
        ("2026-Q3", None, (2026, 3)),
        ("T4 2027", None, (2027, 4)),
        ("3e trimestre 2026", None, (2026, 3)),
        ("2", "2027", (2027, 2)),
        (dt.datetime(2026, 11, 2), None, (2026, 4)),
    ],
)
def test_quarter_in_the_ways_people_write_it(value, year, expected):
    assert forecast.quarter_of(value, year, TODAY) == expected


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"object": " "}, "object", "Required"),
        ({"cpv_division": "99"}, "cpv_division", "99 is not one"),
        ({"amount_band": "huge"}, "amount_band", "Must be one of"),
        ({"quarter": "T5 2026"}, "quarter", "T5 2026 is not one"),
        ({"quarter": "2040-T1"}, "quarter", "from 2025 to 2031"),
        ({"procedure": "Gré à gré"}, "procedure", "Procédure adaptée"),
        ({"contact_email": "marches-at-engins"}, "contact_email", "marches-at-engins"),
        ({"contact_phone": "appelez"}, "contact_phone", "phone number"),
    ],
)
def test_a_bad_value_names_its_field_and_the_rule(values, field, words):
    result = checked(**values)
    assert list(result.errors) == [field]
    assert words in result.errors[field]


HEADER = [
    "Objet",
    "Division CPV",
    "Tranche de montant",
    "Année",
    "Trimestre",
    "Courriel",
]


def test_import_keeps_the_good_rows_and_reports_the_bad_ones():
    rows = [
        HEADER,
        ["Voirie du hameau", "45", "small", 2026, 3, "marches@engins.fr"],
        ["", "45", "small", 2026, 3, ""],
        [None, None, None, None, None, None],
        ["Cantine", "15", "énorme", 2026, 4, "cantine@"],
    ]
    result = spreadsheet.check_rows(rows, TODAY)

    assert [number for number, _fields in result.entries] == [2]
    assert result.rows == 3
    problems = [(p.row, p.column, p.value) for p in result.problems]
    assert problems == [
        (3, "Objet", ""),
        (5, "Tranche de montant", "énorme"),
        (5, "Courriel", "cantine@"),
    ]


def test_import_without_a_required_column_says_which():
    result = spreadsheet.check_rows([["Objet", "CPV"], ["Voirie", "45"]], TODAY)
    assert result.entries == []
    assert len(result.problems) == 2  # amount band and quarter
    assert all(p.row == 1 for p in result.problems)


def test_import_reads_a_french_excel_csv():
    text = "Objet;CPV;Montant estimé;Trimestre\r\nVoirie;45233140;35 000 €;T3 2026\r\n"
    result = spreadsheet.read_and_check("prevus.csv", text.encode("cp1252"), TODAY)
    assert result.problems == []
    assert result.entries[0][1]["amount_band"] == "small"


def xlsx_bytes(rows):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(rows):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Achats")
    for row in rows:
        line = TableRow()
        for value in row:
            if isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            line.addElement(cell)
        table.addElement(line)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


SHEET = [
    ["OBJET", "division cpv", "tranche_montant", "annee", "trimestre"],
    ["Toiture de l'église", 45, "small", 2026, 4],
    ["Chauffage", 45, "medium", 2026, 9],
]


@pytest.mark.parametrize(
    ("name", "make"), [("a.xlsx", xlsx_bytes), ("a.ods", ods_bytes)]
)
def test_import_reads_xlsx_and_ods(name, make):
    result = spreadsheet.read_and_check(name, make(SHEET), TODAY)
    assert [fields["object"] for _n, fields in result.entries] == [
        "Toiture de l'église"
    ]
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (3, "trimestre", "9")
    ]


def test_a_file_that_is_not_a_spreadsheet():
    result = spreadsheet.read_and_check("notes.docx", b"...", TODAY)
    assert "CSV, XLSX or ODS" in result.problems[0].message
    broken = spreadsheet.read_and_check("a.xlsx", b"not a zip", TODAY)
    assert "cannot be read" in broken.problems[0].message


def test_the_table_schema_lists_the_choices_of_the_code():
    fields = {f["name"]: f for f in publication.table_schema()["fields"]}
    assert fields["cpv_division"]["constraints"]["enum"] == sorted(cpv.DIVISIONS)
    assert fields["tranche_montant"]["constraints"]["enum"] == list(forecast.BANDS)
    assert fields["procedure"]["constraints"]["enum"] == list(forecast.PROCEDURES)
    # The published CSV imports back: each column is a header of the import.
    columns = spreadsheet.columns_of(publication.columns())[0]
    assert set(spreadsheet.REQUIRED) <= set(columns)
