"""DECP-conformant JSON and flat CSV.

:func:`write_json` writes the contracts of one format version in that
version's official layout (2022: ``{"marches": {"marche": [...],
"contrat-concession": [...]}}``; 2019: ``{"marches": [...]}``), from their
cleaned records: keys the format does not know are left out, as are empty
optional lists and removed (null) values. :func:`write_csv` writes one row per
contract, its current state (modifications applied).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TextIO

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp.model import CSV_COLUMNS, Contract

# Optional lists the 2022 schema wants non-empty when present.
NON_EMPTY_2022 = frozenset(
    {
        "modifications",
        "actesSousTraitance",
        "modificationsActesSousTraitance",
        "donneesExecution",
    }
)


class Exportable(Protocol):
    """What the JSON writer needs of a contract (a Contract, or a row of the
    DataStore table)."""

    version: str
    kind: str
    record: dict[str, Any]


def export_record(contract: Exportable) -> dict[str, Any]:
    """The contract's cleaned record as its format publishes it."""
    allowed = f.PROPERTIES[(contract.version, contract.kind)]
    record: dict[str, Any] = {}
    for key in allowed:
        if key not in contract.record:
            continue
        value = _without_nulls(contract.record[key])
        if value is None:
            continue
        if contract.version == f.V2022 and key in NON_EMPTY_2022 and value == []:
            continue
        record[key] = value
    return record


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def write_json(
    contracts: Sequence[Exportable], out: TextIO, version: str = f.V2022
) -> int:
    """Writes the contracts of ``version`` (the others are left out) as one
    DECP JSON document; returns how many were written."""
    chosen = [c for c in contracts if c.version == version]
    if version == f.V2019:
        out.write('{"marches": [')
        _items(out, (export_record(c) for c in chosen))
        out.write("]}\n")
        return len(chosen)
    out.write('{"marches": {')
    groups = [
        (f.ELEMENT[kind], [c for c in chosen if c.kind == kind])
        for kind in (f.MARCHE, f.CONCESSION)
    ]
    # The schema wants at least one of the two lists.
    present = [(key, items) for key, items in groups if items] or [groups[0]]
    for number, (key, items) in enumerate(present):
        out.write(("," if number else "") + f"\n{json.dumps(key)}: [")
        _items(out, (export_record(c) for c in items))
        out.write("]")
    out.write("}}\n")
    return len(chosen)


def _items(out: TextIO, records: Iterable[dict[str, Any]]) -> None:
    for number, record in enumerate(records):
        out.write(("," if number else "") + "\n")
        out.write(json.dumps(record, ensure_ascii=False))
    out.write("\n")


def write_csv(contracts: Iterable[Contract], out: TextIO) -> int:
    """One row per contract (columns of model.CSV_COLUMNS); returns the
    number of rows."""
    return write_csv_rows((contract.row() for contract in contracts), out)


def write_csv_rows(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """The same from rows (Contract.row(), or the DataStore's)."""
    return csv_export.write_dicts(out, CSV_COLUMNS, (csv_row(row) for row in rows))


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A DataStore or model row as CSV cells (booleans as true/false)."""
    cells = {}
    for name in CSV_COLUMNS:
        value = row.get(name)
        if isinstance(value, bool):
            value = "true" if value else "false"
        cells[name] = "" if value is None else value
    return cells
