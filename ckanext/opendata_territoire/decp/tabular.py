"""The tabular consolidation of the DECP (decp-processing, the data behind
decp.info; data.gouv.fr dataset 608c055b35eb4e6ee20eb325), as Parquet or CSV.

One row per contract, titulaire and modification (``modification_id`` 0 is
the initial data; ``donneesActuelles`` marks the rows of the contract as it
stands), with the buyer and the titulaires already joined to SIRENE (names,
commune, size category, distance). Each contract becomes the record of a
2022 JSON file (initial values, one modification per later
``modification_id``, its titulaires), so the cleaning rules, the contract
model and the reports are those of the JSON files; the SIRENE fields ride
along in :class:`TabularRecord` and are given to the contract by
:func:`enrich`.

Read with pyarrow, not DuckDB: pyarrow reads a Parquet file from any
seekable Python file, so a remote file is read through the harvester's own
HTTP session (its timeouts, retries and address checks) with ``Range``
requests, row group by row group, under our control; DuckDB's HTTP reader
is an extension it downloads from the internet at first use and opens its
own connections. The buyer filter runs in Arrow (``pyarrow.compute``) on the
buyer column before any row becomes a Python object; a Parquet row group
whose buyer statistics (min, max) hold none of the territory's SIRETs is not
read at all (the consolidation is sorted by ``uid``, which starts with the
buyer's SIRET), and the others are read buyer column first, the other
columns only when it holds a territory row. Memory is bounded by one row
group (Parquet) or one block (CSV) of the projected columns, plus the
territory's own rows.

Counting: ``stats.records`` and ``stats.skipped`` count rows (one per
contract, titulaire and modification), not contracts: rows of other buyers
are never grouped into contracts.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp.model import Contract, Holder
from ckanext.opendata_territoire.decp.readers import (
    Buyers,
    DecpReadError,
    RawRecord,
    ReadStats,
)
from ckanext.opendata_territoire.i18n_markers import N_

PARQUET_MAGIC = b"PAR1"
# The columns that tell the consolidation's CSV from any other CSV.
SIGNATURE = frozenset({"uid", "acheteur_id", "modification_id", "donneesActuelles"})
BUYER = "acheteur_id"
# CSV blocks read at once (pyarrow's unit of parsing).
CSV_BLOCK = 8 * 1024 * 1024

# The 58 columns of the Table Schema, with their types.
COLUMNS: dict[str, str] = {
    "uid": "string",
    "id": "string",
    "nature": "string",
    "acheteur_id": "integer",
    "acheteur_nom": "string",
    "titulaire_id": "integer",
    "titulaire_typeIdentifiant": "string",
    "titulaire_nom": "string",
    "objet": "string",
    "montant": "number",
    "type": "string",
    "codeCPV": "string",
    "procedure": "string",
    "techniques": "string",
    "dureeMois": "integer",
    "dureeRestanteMois": "number",
    "offresRecues": "integer",
    "dateNotification": "date",
    "datePublicationDonnees": "date",
    "formePrix": "string",
    "typesPrix": "string",
    "attributionAvance": "boolean",
    "tauxAvance": "number",
    "marcheInnovant": "boolean",
    "modalitesExecution": "string",
    "considerationsSociales": "string",
    "considerationsEnvironnementales": "string",
    "ccag": "string",
    "sousTraitanceDeclaree": "boolean",
    "typeGroupementOperateurs": "string",
    "origineUE": "number",
    "origineFrance": "number",
    "lieuExecution_code": "integer",
    "lieuExecution_typeCode": "string",
    "idAccordCadre": "string",
    "titulaire_distance": "integer",
    "acheteur_categorie": "string",
    "acheteur_commune_code": "string",
    "acheteur_commune_nom": "string",
    "acheteur_departement_code": "string",
    "acheteur_departement_nom": "string",
    "acheteur_region_code": "string",
    "acheteur_region_nom": "string",
    "acheteur_latitude": "number",
    "acheteur_longitude": "number",
    "titulaire_categorie": "string",
    "titulaire_commune_code": "string",
    "titulaire_commune_nom": "string",
    "titulaire_departement_code": "string",
    "titulaire_departement_nom": "string",
    "titulaire_region_code": "string",
    "titulaire_region_nom": "string",
    "titulaire_latitude": "number",
    "titulaire_longitude": "number",
    "modification_id": "integer",
    "donneesActuelles": "boolean",
    "sourceDataset": "string",
    "sourceFile": "string",
}
# What the reader reads: the contract, its titulaires and their SIRENE
# fields; not the places' names, departments, regions, coordinates, the
# remaining duration (computed on the day) or the source file's URL.
READ = [
    name
    for name in COLUMNS
    if not name.startswith(("acheteur_departement", "acheteur_region"))
    and not name.startswith(("titulaire_departement", "titulaire_region"))
    and not name.endswith(("_latitude", "_longitude", "_commune_nom"))
    and name not in ("dureeRestanteMois", "sourceFile", "acheteur_commune_code")
]
# Multi-valued text columns and the key of their list in a 2022 record.
VALUE_LISTS = f.VALUE_LISTS_2022
TRUE = frozenset({"true", "1", "oui", "vrai", "t", "yes"})
FALSE = frozenset({"false", "0", "non", "faux", "f", "no"})


@dataclass
class TabularRecord(RawRecord):
    """A contract's rows as a 2022 record, with what SIRENE says of its
    buyer and titulaires (see :func:`enrich`)."""

    buyer_name: str | None = None
    buyer_category: str | None = None
    # Titulaire id -> {"nom", "categorie", "commune", "distance"}.
    holders: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str | None = None  # sourceDataset


def detect(fp: BinaryIO) -> str | None:
    """``tabular-parquet``, ``tabular-csv`` or None (not the tabular
    consolidation); the file is left where it was."""
    start = fp.tell()
    head = fp.read(64 * 1024)
    fp.seek(start)
    if head.startswith(PARQUET_MAGIC):
        return f.TABULAR_PARQUET
    text = head.removeprefix(b"\xef\xbb\xbf")
    line = text.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if not line or line.startswith(("{", "[", "<")):
        return None
    names = next(csv.reader([line]), [])
    return f.TABULAR_CSV if {n.strip() for n in names} >= SIGNATURE else None


def read_records(
    fp: BinaryIO,
    file_format: str,
    progress: Callable[[int], None] | None = None,
    buyers: Buyers | None = None,
    stats: ReadStats | None = None,
) -> Iterator[TabularRecord]:
    """The contracts of the territory's buyers (all with ``buyers`` None),
    in the order of their first row. Rows are grouped by ``uid`` over the
    whole file (a contract's rows need not be adjacent), so the contracts
    come once the file is read. Raises DecpReadError when the file cannot
    be read."""
    stats = stats if stats is not None else ReadStats()
    groups: dict[str, list[dict[str, Any]]] = {}
    batches = (
        _parquet_batches(fp, buyers, stats, progress)
        if file_format == f.TABULAR_PARQUET
        else _csv_batches(fp, buyers, stats, progress)
    )
    try:
        for batch in batches:
            for row in batch.to_pylist():
                uid = row.get("uid") or _uid(row)
                groups.setdefault(uid, []).append(row)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as error:
        raise DecpReadError(
            N_("unreadable tabular file: {error}"),
            records=stats.records,
            error=str(error).splitlines()[0][:300],
        ) from error
    for position, rows in enumerate(groups.values(), start=1):
        yield contract_record(rows, position)


def _uid(row: dict[str, Any]) -> str:
    return f"{_identifier(row.get(BUYER)) or ''}{row.get('id') or ''}"


# Reading: Arrow batches of the territory's rows


def _parquet_batches(
    fp: BinaryIO,
    buyers: Buyers | None,
    stats: ReadStats,
    progress: Callable[[int], None] | None,
) -> Iterator[pa.Table]:
    parquet = pq.ParquetFile(fp)
    metadata = parquet.metadata
    names = parquet.schema_arrow.names
    if BUYER not in names:
        raise DecpReadError(
            N_("not the tabular DECP consolidation: no {column} column"),
            column=BUYER,
        )
    columns = [name for name in READ if name in names]
    index = names.index(BUYER)
    for group in range(metadata.num_row_groups):
        rows = metadata.row_group(group).num_rows
        stats.records += rows
        if buyers is not None and not _may_hold(
            metadata.row_group(group).column(index).statistics, buyers
        ):
            stats.skipped += rows
            continue
        if buyers is not None:
            ids = parquet.read_row_group(group, columns=[BUYER]).column(0)
            mask = _mask(ids, buyers)
            found = pc.sum(mask).as_py() or 0
            stats.skipped += rows - found
            if not found:
                continue
            table = parquet.read_row_group(group, columns=columns).filter(mask)
        else:
            table = parquet.read_row_group(group, columns=columns)
        if progress is not None:
            progress(fp.tell())
        yield _as_text_ids(table)


def share_to_read(fp: BinaryIO, buyers: Buyers) -> float:
    """The share of a Parquet file's bytes in the row groups whose buyer
    statistics may hold one of ``buyers``: what reading by ranges would
    fetch at most. Near 1 for a file not sorted by buyer (every row group
    spans all SIRETs); then downloading it whole is as cheap, and checked."""
    metadata = pq.ParquetFile(fp).metadata
    names = metadata.schema.to_arrow_schema().names
    if BUYER not in names or not metadata.num_row_groups:
        return 1.0
    index = names.index(BUYER)
    total = wanted = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        size = sum(
            row_group.column(c).total_compressed_size
            for c in range(row_group.num_columns)
        )
        total += size
        if _may_hold(row_group.column(index).statistics, buyers):
            wanted += size
    return wanted / total if total else 1.0


def _csv_batches(
    fp: BinaryIO,
    buyers: Buyers | None,
    stats: ReadStats,
    progress: Callable[[int], None] | None,
) -> Iterator[pa.Table]:
    # Every column as text: identifiers keep their leading zeros, and a
    # badly typed cell is the cleaning rules' business, not a read error.
    reader = pacsv.open_csv(
        fp,
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(COLUMNS, pa.string()),
            include_columns=READ,
            include_missing_columns=True,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    for batch in reader:
        stats.records += batch.num_rows
        table = pa.Table.from_batches([batch])
        if buyers is not None:
            mask = _mask(table.column(BUYER), buyers)
            found = pc.sum(mask).as_py() or 0
            stats.skipped += batch.num_rows - found
            if not found:
                continue
            table = table.filter(mask)
        if progress is not None:
            progress(fp.tell())
        yield _as_text_ids(table)


def _text_ids(ids: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """SIRETs as 14-character text: an integer column lost their leading
    zeros, and so did a CSV written from one (decp.csv holds 1234567800019
    for 01234567800019); a text one may hold spaces or dots. Only digits of
    10 to 13 characters are padded: other identifiers (TVA, TAHITI...) stay
    as written."""
    if pa.types.is_integer(ids.type) or pa.types.is_floating(ids.type):
        text = pc.cast(pc.cast(ids, pa.int64()), pa.string())
        return pc.utf8_lpad(text, 14, "0")
    text = pc.replace_substring_regex(pc.cast(ids, pa.string()), r"[\s.\-_/]", "")
    length = pc.utf8_length(text)
    lost_zeros = pc.and_(
        pc.utf8_is_digit(text),
        pc.and_(pc.greater_equal(length, 10), pc.less(length, 14)),
    )
    return pc.if_else(
        pc.fill_null(lost_zeros, False), pc.utf8_lpad(text, 14, "0"), text
    )


def _mask(ids: pa.ChunkedArray | pa.Array, buyers: Buyers) -> Any:
    sirens, sirets = buyers
    text = _text_ids(ids)
    by_siren = pc.is_in(
        pc.utf8_slice_codeunits(text, 0, 9),
        value_set=pa.array(sorted(sirens), pa.string()),
    )
    by_siret = pc.is_in(text, value_set=pa.array(sorted(sirets), pa.string()))
    return pc.fill_null(pc.or_(by_siren, by_siret), False)


def _as_text_ids(table: pa.Table) -> pa.Table:
    for name in (BUYER, "titulaire_id"):
        if name in table.column_names:
            position = table.column_names.index(name)
            table = table.set_column(position, name, _text_ids(table.column(name)))
    return table


def _may_hold(statistics: Any, buyers: Buyers) -> bool:
    """Whether a row group whose buyer column has these statistics may hold
    one of ``buyers``; True when the statistics cannot tell (absent, or
    values that are not plain 14-digit SIRETs)."""
    if statistics is None or not statistics.has_min_max:
        return True
    low, high = _stat_text(statistics.min), _stat_text(statistics.max)
    if low is None or high is None:
        return True
    sirens, sirets = buyers
    for siren in sirens:
        if siren + "00000" <= high and low <= siren + "99999":
            return True
    return any(low <= siret <= high for siret in sirets)


def _stat_text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return f"{value:014d}"
    if isinstance(value, str) and len(value) == 14 and value.isdigit():
        return value
    return None


# From rows to a contract


def contract_record(rows: list[dict[str, Any]], position: int) -> TabularRecord:
    """One contract's rows as a 2022 record: the initial values from the
    rows of ``modification_id`` 0, one modification per later id up to the
    current one (``donneesActuelles``), each with its titulaires."""
    by_version: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_version.setdefault(_version(row.get("modification_id")), []).append(row)
    versions = sorted(by_version)
    current = next(
        (
            v
            for v in reversed(versions)
            if any(_bool(r.get("donneesActuelles")) for r in by_version[v])
        ),
        versions[-1],
    )
    first = by_version[versions[0]]
    base = first[0]
    record: dict[str, Any] = {
        "id": _text(base.get("id")),
        "acheteur": {"id": _identifier(base.get(BUYER))},
        "nature": _text(base.get("nature")),
        "objet": _text(base.get("objet")),
        "codeCPV": _text(base.get("codeCPV")),
        "procedure": _text(base.get("procedure")),
        "lieuExecution": {
            "code": _text(base.get("lieuExecution_code")),
            "typeCode": _text(base.get("lieuExecution_typeCode")),
        },
        "dureeMois": _integer(base.get("dureeMois")),
        "dateNotification": _date(base.get("dateNotification")),
        "datePublicationDonnees": _date(base.get("datePublicationDonnees")),
        "montant": _number(base.get("montant")),
        "formePrix": _text(base.get("formePrix")),
        "offresRecues": _integer(base.get("offresRecues")),
        "attributionAvance": _bool(base.get("attributionAvance")),
        "tauxAvance": _number(base.get("tauxAvance")),
        "marcheInnovant": _bool(base.get("marcheInnovant")),
        "ccag": _text(base.get("ccag")),
        "sousTraitanceDeclaree": _bool(base.get("sousTraitanceDeclaree")),
        "typeGroupementOperateurs": _text(base.get("typeGroupementOperateurs")),
        "origineUE": _number(base.get("origineUE")),
        "origineFrance": _number(base.get("origineFrance")),
        "idAccordCadre": _text(base.get("idAccordCadre")),
        "titulaires": _holders(first),
    }
    for key, item in VALUE_LISTS.items():
        values = _values(base.get(key), key)
        if values:
            record[key] = {item: values}
    modifications = []
    for version in versions[1:]:
        if version > current:
            break
        row = by_version[version][0]
        modifications.append(
            {
                "modification": {
                    "id": version,
                    "montant": _number(row.get("montant")),
                    "dureeMois": _integer(row.get("dureeMois")),
                    "dateNotificationModification": _date(row.get("dateNotification")),
                    "datePublicationDonneesModification": _date(
                        row.get("datePublicationDonnees")
                    ),
                    "titulaires": _holders(by_version[version]),
                }
            }
        )
    if modifications:
        record["modifications"] = modifications
    record = _without_empty(record)
    holders: dict[str, dict[str, Any]] = {}
    for row in rows:
        holder = _identifier(row.get("titulaire_id"))
        if holder and holder not in holders:
            holders[holder] = {
                "nom": _text(row.get("titulaire_nom")),
                "categorie": _text(row.get("titulaire_categorie")),
                "commune": _text(row.get("titulaire_commune_code")),
                "distance": _number(row.get("titulaire_distance")),
            }
    return TabularRecord(
        f.V2022,
        f.MARCHE,
        record,
        position,
        buyer_name=_text(base.get("acheteur_nom")),
        buyer_category=_text(base.get("acheteur_categorie")),
        holders=holders,
        source=_text(base.get("sourceDataset")),
    )


def enrich(
    contract: Contract,
    buyer_name: str | None,
    holders: dict[str, dict[str, Any]],
) -> None:
    """Gives the contract what SIRENE says in the consolidation: the buyer's
    name, each titulaire's name, commune, category and distance."""
    if buyer_name and not contract.buyer_name:
        contract.buyer_name = buyer_name

    def named(holder: Holder) -> Holder:
        known = holders.get(holder.id.replace(" ", "")) or {}
        return replace(
            holder,
            name=holder.name or known.get("nom"),
            category=known.get("categorie"),
            commune=known.get("commune"),
            distance_km=known.get("distance"),
        )

    contract.initial_holders = [named(h) for h in contract.initial_holders]
    contract.holders = [named(h) for h in contract.holders]
    for modification in contract.modifications:
        if modification.holders:
            modification.holders = [named(h) for h in modification.holders]


def sirene_of(contract: Contract) -> dict[str, Any] | None:
    """What :func:`enrich` gave the contract, to keep it with the contract
    (a harvest object); None when the source said nothing of SIRENE."""
    holders = {
        h.id: {
            "nom": h.name,
            "categorie": h.category,
            "commune": h.commune,
            "distance": h.distance_km,
        }
        for h in [*contract.initial_holders, *contract.holders]
        if h.category or h.commune or h.distance_km is not None
    }
    if not holders and not contract.buyer_name:
        return None
    return {"buyer_name": contract.buyer_name, "holders": holders}


def _holders(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    holders, seen = [], set()
    for row in rows:
        holder = _identifier(row.get("titulaire_id"))
        if not holder or holder in seen:
            continue
        seen.add(holder)
        holders.append(
            {
                "titulaire": {
                    "typeIdentifiant": _text(row.get("titulaire_typeIdentifiant"))
                    or "SIRET",
                    "id": holder,
                }
            }
        )
    return holders


def _values(value: Any, key: str) -> list[str]:
    """A multi-valued cell as a list: split on commas or semicolons only
    when every part is a value of the format's list (a value may hold a
    comma)."""
    text = _text(value)
    if text is None:
        return []
    allowed = f.LIST_ENUMERATIONS[f.MARCHE][key][1]
    for separator in (";", ","):
        parts = [p.strip() for p in text.split(separator) if p.strip()]
        if len(parts) > 1 and all(p in allowed for p in parts):
            return parts
    return [text]


def _without_empty(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _without_empty(v) for k, v in node.items() if v not in (None, "", [], {})
        }
    if isinstance(node, list):
        return [_without_empty(v) for v in node]
    return node


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    text = str(value).strip()
    return text or None


def _identifier(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:014d}" if value < 10**14 else str(value)
    return _text(value)


def _number(value: Any) -> float | int | str | None:
    """A number as a number; text that is not one is left to the cleaning
    rules (which name the field)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and "." not in text else number


def _integer(value: Any) -> int | str | None:
    number = _number(value)
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number  # type: ignore[return-value]


def _version(value: Any) -> int:
    """A row's ``modification_id``; 0 (the initial data) when unreadable."""
    number = _integer(value)
    return number if isinstance(number, int) else 0


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().casefold()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return None


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def is_tabular(file_format: str | None) -> bool:
    return file_format in f.TABULAR
