"""A spreadsheet or CSV file read as a table of text cells, with frictionless
(its Excel and ODS plugins: openpyxl, ezodf). Only the delimiter and the
encoding of a CSV file are sniffed here.

Cells come as the spreadsheet holds them: a date cell is a date, a number
cell a number. ``cell_text`` writes them as text the way the schema wants
them (ISO dates, a dot for decimals), so that convert.py only deals with
text."""

from __future__ import annotations

import datetime as dt
import decimal
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from frictionless import Dialect, FrictionlessException, Resource
from frictionless.formats import CsvControl

FORMATS = ("csv", "xlsx", "ods")
DELIMITERS = (";", ",", "\t", "|")
# Rows read to recognise a schema and propose a mapping.
SAMPLE_ROWS = 200


class Unreadable(Exception):
    """The file is not a table this feature reads; ``reason``: ``format``
    (not CSV, XLSX or ODS), ``empty`` (no header), ``broken`` (the
    library could not read it)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Table:
    header: list[str]
    sample: list[list[str]]
    format: str


def file_format(filename: str) -> str:
    suffix = os.path.splitext(filename)[1].lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "ods"):
        return suffix
    raise Unreadable("format", filename)


def cell_text(value: Any) -> str:
    """A cell as text: dates in ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float | decimal.Decimal):
        if value == int(value):
            return str(int(value))
        return format(decimal.Decimal(str(value)).normalize(), "f")
    return str(value)


def _csv_dialect(path: str) -> tuple[str, str]:
    """The encoding and the delimiter of a CSV file."""
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        text, encoding = head.decode("latin-1"), "latin-1"
    first = text.splitlines()[0] if text else ""
    delimiter = max(DELIMITERS, key=first.count)
    return encoding, delimiter


def _resource(path: str, form: str) -> Resource:
    # frictionless reads only relative paths under a base path.
    options: dict[str, Any] = {}
    if form == "csv":
        encoding, delimiter = _csv_dialect(path)
        options = {
            "encoding": encoding,
            "dialect": Dialect(controls=[CsvControl(delimiter=delimiter)]),
        }
    return Resource(
        path=os.path.basename(path),
        basepath=os.path.dirname(path) or ".",
        format=form,
        **options,
    )


def rows(path: str, form: str) -> Iterator[list[str]]:
    """Every row of the file as text cells, the header first; empty rows
    before the header skipped."""
    try:
        with _resource(path, form) as resource:
            seen_header = False
            for cells in resource.cell_stream:
                texts = [cell_text(c) for c in cells]
                if not seen_header:
                    if not any(t.strip() for t in texts):
                        continue
                    seen_header = True
                yield texts
    except FrictionlessException as error:
        raise Unreadable("broken", str(error)) from error


def header_of(cells: list[str]) -> list[str]:
    """The header, trimmed, without the trailing columns that have no name."""
    header = [c.strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    return header


def sample(path: str, form: str, max_rows: int = SAMPLE_ROWS) -> Table:
    """The header and the first ``max_rows`` rows."""
    found = rows(path, form)
    try:
        header = header_of(next(found))
    except StopIteration:
        raise Unreadable("empty") from None
    if not header:
        raise Unreadable("empty")
    taken = []
    for row in found:
        if any(c.strip() for c in row):
            taken.append(row[: len(header)] + [""] * (len(header) - len(row)))
        if len(taken) >= max_rows:
            break
    return Table(header=header, sample=taken, format=form)
