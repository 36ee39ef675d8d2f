"""The one CSV writer of every CSV file the extension serves (the EPCI's
dashboard, the usage exports, the observatory, the DECP contract files, the
demo's register of firms).

Texts in these files come from people (organization and dataset titles,
edited by their admins) and from outside data (contract objects, names of
firms): a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would run as a formula in the spreadsheet of whoever opens
the file. As OWASP advises for CSV injection, such a text is written after
a ``'``, which spreadsheets show as a plain text. Numbers, written as
numbers or as a numeric text (``-12.5``), stay as they are; the JSON files
and the API give every value untouched.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


def inert(value: Any) -> Any:
    """``value``, made inert for a spreadsheet when it is a text that would
    start a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not NUMBER.match(value)
    ):
        return "'" + value
    return value


def write(
    out: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    delimiter: str = ",",
    lineterminator: str = "\r\n",
) -> int:
    """Writes ``header`` then each row, every cell made inert; returns the
    number of rows."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow([inert(cell) for cell in header])
    count = 0
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
        count += 1
    return count


def write_dicts(
    out: TextIO, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> int:
    """The same from dicts (missing keys as empty cells)."""
    return write(
        out, columns, ([row.get(column, "") for column in columns] for row in rows)
    )


# The exports people open in a spreadsheet (observatory, dashboard, usage)
# are written for French Excel and LibreOffice by default: ";" between
# cells, a decimal comma, oui/non, and a byte-order mark (without it, Excel
# reads UTF-8 as Windows-1252). ``?separateur=virgule`` gives the
# international form (",", a decimal point, true/false, no mark) for
# programs.
INTERNATIONAL = "virgule"


def french_cell(value: Any) -> Any:
    """A number with a decimal comma, a yes/no in French."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        text = f"{value:.10f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return value


def wants_international() -> bool:
    from flask import request

    return request.args.get("separateur") == INTERNATIONAL


def response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    french: bool | None = None,
) -> Response:
    """A CSV download named ``filename``: for French spreadsheets unless
    ``french`` is False (None: unless the request asks
    ``?separateur=virgule``)."""
    if french is None:
        french = not wants_international()
    out = io.StringIO()
    if french:
        out.write("\ufeff")
        write(out, header, ([french_cell(c) for c in row] for row in rows), ";")
    else:
        write(out, header, rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
