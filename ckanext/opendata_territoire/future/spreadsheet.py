"""The forecast imported from a spreadsheet: a CSV, XLSX (openpyxl) or ODS
(odfpy) file read into rows, its French headers matched whatever their
accents and case, each row checked as the form checks an entry
(future/forecast.py). The good rows are kept; each bad value is reported
with its row number, column, value and the rule it breaks."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.opendata_territoire.future import forecast
from ckanext.opendata_territoire.i18n_markers import N_

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
FORMATS = ("csv", "xlsx", "ods")

# The headers each field is known by, folded (forecast.fold). The first is
# the published CSV's (future/publication.py): its file imports back.
HEADERS: dict[str, tuple[str, ...]] = {
    "object": ("objet", "objet de l achat", "objet du marche", "intitule", "object"),
    "cpv_division": (
        "cpv division",
        "division cpv",
        "cpv",
        "code cpv",
        "domaine",
        "domaine cpv",
    ),
    "amount_band": (
        "tranche montant",
        "tranche de montant",
        "montant",
        "montant estime",
        "montant previsionnel",
        "amount band",
    ),
    "year": ("annee", "annee prevue", "year"),
    "quarter": (
        "trimestre",
        "trimestre prevu",
        "trimestre envisage",
        "periode",
        "quarter",
    ),
    "procedure": ("procedure", "procedure envisagee", "procedure prevue"),
    "contact_name": ("contact", "contact nom", "nom du contact", "service"),
    "contact_email": (
        "contact courriel",
        "courriel",
        "email",
        "e mail",
        "mel",
        "contact email",
    ),
    "contact_phone": ("contact telephone", "telephone", "tel", "contact tel"),
    "notes": ("notes", "note", "remarques", "observations", "commentaire"),
}
REQUIRED = ("object", "cpv_division", "amount_band", "quarter")


class Unreadable(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass
class Problem:
    row: int | None  # the spreadsheet's row number (the header is row 1)
    column: str | None  # the header as written in the file
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class Imported:
    """The good rows' clean fields (with their row numbers) and the
    problems of the others."""

    entries: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0  # rows read, empty ones left out


# Reading


def format_of(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    if extension not in FORMATS:
        raise Unreadable(
            tk._(
                "The file must be a CSV, XLSX or ODS spreadsheet; {name} is not."
            ).format(name=filename or "?")
        )
    return extension


def read(filename: str, data: bytes) -> list[list[Any]]:
    """The rows of the file's first sheet (the header first), cells as the
    spreadsheet typed them (text, number, date)."""
    if len(data) > MAX_BYTES:
        raise Unreadable(
            tk._("The file is too large: at most {size} MB.").format(
                size=MAX_BYTES // (1024 * 1024)
            )
        )
    kind = format_of(filename)
    try:
        if kind == "csv":
            return _csv_rows(data)
        if kind == "xlsx":
            return _xlsx_rows(data)
        return _ods_rows(data)
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable(
            tk._("The file cannot be read as a {kind} spreadsheet ({error}).").format(
                kind=kind.upper(), error=type(error).__name__
            )
        ) from error


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # What French Excel writes when asked for a plain CSV.
        text = data.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _ods_cell(cell: Any) -> Any:
    from odf.namespaces import OFFICENS

    kind = cell.attributes.get((OFFICENS, "value-type"))
    if kind in ("float", "currency", "percentage"):
        value = float(cell.attributes.get((OFFICENS, "value")))
        return int(value) if value.is_integer() else value
    if kind == "date":
        text = str(cell.attributes.get((OFFICENS, "date-value")))
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    paragraphs = [
        "".join(_ods_text(node) for node in p.childNodes)
        for p in cell.childNodes
        if getattr(p, "qname", (None, None))[1] == "p"
    ]
    return "\n".join(paragraphs)


def _ods_text(node: Any) -> str:
    if node.nodeType == node.TEXT_NODE:
        return str(node.data)
    name = getattr(node, "qname", (None, None))[1]
    if name == "s":  # repeated spaces
        return " " * int(node.attributes.get((node.qname[0], "c"), 1) or 1)
    return "".join(_ods_text(child) for child in node.childNodes)


def _ods_rows(data: bytes) -> list[list[Any]]:
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableRow

    document = load(io.BytesIO(data))
    tables = document.spreadsheet.getElementsByType(Table)
    if not tables:
        return []
    rows: list[list[Any]] = []
    for row in tables[0].getElementsByType(TableRow):
        cells: list[Any] = []
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            repeat = int(cell.attributes.get((TABLENS, "number-columns-repeated"), 1))
            value = _ods_cell(cell) if cell.qname[1] == "table-cell" else ""
            # A sheet's trailing empty cells come as one cell repeated
            # thousands of times.
            cells.extend([value] * min(repeat, 100))
        repeat = int(row.attributes.get((TABLENS, "number-rows-repeated"), 1))
        if not all(map(_blank, cells)):
            rows.extend([cells] * min(repeat, MAX_ROWS))
        else:
            rows.append(cells)
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


# Checking


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


def columns_of(header: list[Any]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index of the header, and the header's columns no
    field knows."""
    found: dict[str, int] = {}
    unknown = []
    names = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
    for index, cell in enumerate(header):
        name = forecast.fold(cell)
        key = names.get(name)
        if key is None:
            if name:
                unknown.append(str(cell))
            continue
        found.setdefault(key, index)
    return found, unknown


def check_rows(rows: list[list[Any]], today: dt.date | None = None) -> Imported:
    """Each row after the header checked; the first row whose cells are not
    all empty is the header."""
    result = Imported()
    start = next((i for i, row in enumerate(rows) if not all(map(_blank, row))), None)
    if start is None:
        result.problems.append(Problem(None, None, "", tk._("The file is empty.")))
        return result
    header = rows[start]
    columns, _unknown = columns_of(header)
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        for key in missing:
            result.problems.append(
                Problem(
                    start + 1,
                    None,
                    "",
                    tk._(
                        'No column "{column}" in the first row (accepted headers: '
                        "{headers})."
                    ).format(
                        column=tk._(forecast.LABELS[key]),
                        headers=", ".join(HEADERS[key][:3]),
                    ),
                )
            )
        return result
    body = rows[start + 1 :]
    if sum(not all(map(_blank, row)) for row in body) > MAX_ROWS:
        result.problems.append(
            Problem(
                None,
                None,
                "",
                tk._("Too many rows: at most {max} planned purchases per file.").format(
                    max=MAX_ROWS
                ),
            )
        )
        return result
    for offset, row in enumerate(body):
        if all(map(_blank, row)):
            continue
        number = start + offset + 2
        result.rows += 1
        values = {
            key: row[index] if index < len(row) else None
            for key, index in columns.items()
        }
        checked = forecast.check(values, today)
        if checked.errors:
            for key, message in checked.errors.items():
                index = columns.get(key)
                result.problems.append(
                    Problem(
                        number,
                        str(header[index]) if index is not None else None,
                        _shown(values.get(key)),
                        message,
                    )
                )
        else:
            result.entries.append((number, checked.fields))
    return result


def read_and_check(
    filename: str, data: bytes, today: dt.date | None = None
) -> Imported:
    """The file read and each row checked; a file that cannot be read is
    one problem."""
    try:
        rows = read(filename, data)
    except Unreadable as error:
        return Imported(problems=[Problem(None, None, "", str(error))])
    return check_rows(rows, today)


MODES = {
    "add": N_("Add to the current forecast"),
    "replace": N_("Replace the whole forecast"),
}
