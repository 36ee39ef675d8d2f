"""The observatory's figures for every EPCI of France, from the national
tabular consolidation (decp/tabular.py describes the file), computed in
DuckDB over Arrow: never row by row in Python, never into PostgreSQL.

The file is read with pyarrow (Parquet row group by row group, CSV block by
block), only the columns the figures need, identifiers normalized as the
tabular reader does (:func:`tabular._text_ids`); a row whose buyer SIREN
(the 9 first digits of ``acheteur_id``) is neither an EPCI's nor a member
commune's is dropped at once. DuckDB then makes each contract's current
state the way the tabular reader does (decp/tabular.py, then
decp/model.py's ``_apply_modifications``):

- the versions of a contract are its ``modification_id``; the current one
  is the last marked ``donneesActuelles`` (else the last); later versions
  are ignored;
- its year of notification, CPV division and ``offresRecues`` are those of
  its first version; its amount the last valid ``montant`` up to the current
  version (the cleaning rule's bounds: 0 to 10 billion euros, otherwise as
  if not given); its titulaires those of the last version up to the current
  one that names any (distinct identifiers), each placed by the commune and
  category the consolidation gives (SIRENE joined by decp-processing);

then the figures as observatory/stats.py defines them for the territory: a
contract with n titulaires gives each 1/n of its count and amount (a
contract without titulaire counts once, of unknown locality); a titulaire is
of the EPCI (``territory``) when its commune is a member, of the
``departement`` when its commune is in another commune of the départements
of the members, ``unknown`` when the file gives no commune; PME is the
category PME (TPE and micro included).

The result is small: one row per EPCI, year and CPV division, plus the
totals over all years (year 0) and all divisions (division ``""``), so that
a question with no filter, or one year, or one division, reads one row per
EPCI. Contracts without year (or division) count in the totals only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ckanext.opendata_territoire.decp import tabular
from ckanext.opendata_territoire.decp.cleaning import AMOUNT_MAX, YEAR_MIN
from ckanext.opendata_territoire.territory.reference import Epci

# The columns read: the contract, its versions, its titulaires' places.
COLUMNS = (
    "uid",
    "id",
    "acheteur_id",
    "modification_id",
    "donneesActuelles",
    "montant",
    "codeCPV",
    "dateNotification",
    "offresRecues",
    "titulaire_id",
    "titulaire_categorie",
    "titulaire_commune_code",
)
ALL_YEARS = 0
ALL_DIVISIONS = ""
# The measures of a row, in the order of the table's columns
# (peers/model.py).
MEASURES = (
    "contracts",
    "amount",
    "territory_contracts",
    "territory_amount",
    "departement_contracts",
    "departement_amount",
    "unknown_contracts",
    "unknown_amount",
    "small_contracts",
    "small_amount",
    "offers_known",
    "single_offer",
)
# The municipal arrondissements of Paris, Marseille and Lyon, where SIRENE
# places an establishment, belong to their commune (the EPCIs list it).
ARRONDISSEMENTS = (("751", "75056"), ("132", "13055"), ("6938", "69123"))


class PeersReadError(Exception):
    """The file cannot be read as the tabular consolidation."""


@dataclass
class Computed:
    """The figures of every EPCI found in the file, as an Arrow table with
    the columns ``epci_siren``, ``year``, ``cpv_division`` and
    :data:`MEASURES`; and what the computation went through."""

    table: pa.Table
    rows_read: int = 0  # rows of the file (contract x titulaire x version)
    rows_kept: int = 0  # rows of an EPCI's buyer
    contracts: int = 0  # contracts of the EPCIs
    epcis: int = 0  # EPCIs with at least one contract
    seconds: dict[str, float] = field(default_factory=dict)


Progress = Callable[[str, int, int], None]


def departement(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def _kind(value: str) -> str:
    return "METRO" if value == "MET69" else value


def buyer_map(epcis: Iterable[Epci]) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Three small tables for DuckDB: buyer SIREN -> EPCI (the EPCI's own
    SIREN and its members'), member commune -> EPCI, EPCI -> département of
    a member."""
    buyers: dict[str, str] = {}
    communes: dict[str, str] = {}
    departements: set[tuple[str, str]] = set()
    for epci in epcis:
        buyers[epci.siren] = epci.siren
        for member in epci.members:
            if member.siren:
                buyers.setdefault(member.siren, epci.siren)
            communes[member.insee] = epci.siren
            departements.add((epci.siren, departement(member.insee)))
    return (
        pa.table(
            {"siren": list(buyers), "epci": list(buyers.values())},
            schema=pa.schema([("siren", pa.string()), ("epci", pa.string())]),
        ),
        pa.table(
            {"insee": list(communes), "epci": list(communes.values())},
            schema=pa.schema([("insee", pa.string()), ("epci", pa.string())]),
        ),
        pa.table(
            {
                "epci": [e for e, _ in sorted(departements)],
                "dep": [d for _, d in sorted(departements)],
            },
            schema=pa.schema([("epci", pa.string()), ("dep", pa.string())]),
        ),
    )


# Reading


def _as_strings(table: pa.Table) -> pa.Table:
    """Every column as text (a Parquet file types them; the CSV reader reads
    text), identifiers as the tabular reader writes them."""
    columns = {}
    for name in COLUMNS:
        if name not in table.column_names:
            columns[name] = pa.nulls(table.num_rows, pa.string())
            continue
        column = table.column(name)
        if name in ("acheteur_id", "titulaire_id"):
            column = tabular._text_ids(column)
        elif not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        columns[name] = column
    return pa.table(columns)


def _kept(table: pa.Table, sirens: pa.Array) -> pa.Table:
    table = _as_strings(table)
    buyer = pc.utf8_slice_codeunits(table.column("acheteur_id"), 0, 9)
    mask = pc.fill_null(pc.is_in(buyer, value_set=sirens), False)
    return table.filter(mask)


def _parquet(fp: BinaryIO, progress: Progress | None) -> Iterator[pa.Table]:
    parquet = pq.ParquetFile(fp)
    names = set(parquet.schema_arrow.names)
    if tabular.BUYER not in names:
        raise PeersReadError(f"not the tabular DECP consolidation: no {tabular.BUYER}")
    columns = [name for name in COLUMNS if name in names]
    groups = parquet.metadata.num_row_groups
    for group in range(groups):
        yield parquet.read_row_group(group, columns=columns)
        if progress is not None:
            progress("read", group + 1, groups)


def _csv(fp: BinaryIO, size: int, progress: Progress | None) -> Iterator[pa.Table]:
    reader = pacsv.open_csv(
        fp,
        read_options=pacsv.ReadOptions(block_size=tabular.CSV_BLOCK),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(COLUMNS, pa.string()),
            include_columns=list(COLUMNS),
            include_missing_columns=True,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    for batch in reader:
        yield pa.Table.from_batches([batch])
        if progress is not None:
            progress("read", min(fp.tell(), size), size)


def read_rows(
    path: str, sirens: Iterable[str], progress: Progress | None = None
) -> tuple[pa.Table, int]:
    """The rows of the file whose buyer is one of ``sirens`` (as text), and
    the number of rows read."""
    wanted = pa.array(sorted(set(sirens)), pa.string())
    kept: list[pa.Table] = []
    read = 0
    try:
        with open(path, "rb") as fp:
            kind = tabular.detect(fp)
            if kind is None:
                raise PeersReadError(
                    "not the tabular DECP consolidation (Parquet, or CSV with "
                    "the columns uid, acheteur_id, modification_id, "
                    "donneesActuelles)"
                )
            size = fp.seek(0, 2)
            fp.seek(0)
            parts = (
                _parquet(fp, progress)
                if kind == tabular.f.TABULAR_PARQUET
                else _csv(fp, size, progress)
            )
            for part in parts:
                read += part.num_rows
                found = _kept(part, wanted)
                if found.num_rows:
                    kept.append(found)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as error:
        raise PeersReadError(str(error).splitlines()[0][:300]) from error
    if not kept:
        return _as_strings(pa.table({"uid": pa.array([], pa.string())})), read
    return pa.concat_tables(kept), read


# Computing


def _sql(year_max: int) -> str:
    commune = "nullif(trim(titulaire_commune_code), '')"
    commune = (
        f"CASE WHEN regexp_full_match({commune}, '[0-9]{{4}}') "
        f"THEN lpad({commune}, 5, '0') ELSE upper({commune}) END"
    )
    for prefix, parent in ARRONDISSEMENTS:
        commune = (
            f"CASE WHEN {commune} LIKE '{prefix}%' AND length({commune}) = 5 "
            f"AND {commune} <> '{parent}' THEN '{parent}' ELSE {commune} END"
        )
    measures = ",\n".join(
        [
            "sum(weight) AS contracts",
            "sum(weight * amount) AS amount",
            *[
                f"sum(weight) FILTER (WHERE locality = '{name}') AS {name}_contracts,"
                f" sum(weight * amount) FILTER (WHERE locality = '{name}')"
                f" AS {name}_amount"
                for name in ("territory", "departement", "unknown")
            ],
            "sum(weight) FILTER (WHERE small) AS small_contracts",
            "sum(weight * amount) FILTER (WHERE small) AS small_amount",
            "sum(weight) FILTER (WHERE offers IS NOT NULL) AS offers_known",
            "sum(weight) FILTER (WHERE offers = 1) AS single_offer",
        ]
    )
    return f"""
    WITH r AS (
        SELECT
          coalesce(nullif(uid, ''), acheteur_id || coalesce(id, '')) AS uid,
          b.epci,
          coalesce(TRY_CAST(TRY_CAST(modification_id AS DOUBLE) AS INTEGER), 0)
            AS version,
          lower(trim(coalesce(donneesActuelles, '')))
            IN ('true', '1', 'oui', 'vrai', 't', 'yes') AS current,
          CASE WHEN TRY_CAST(montant AS DOUBLE) BETWEEN 0 AND {AMOUNT_MAX}
               THEN TRY_CAST(montant AS DOUBLE) END AS amount,
          CASE WHEN length(regexp_replace(codeCPV, '[^0-9]', '', 'g')) >= 2
               THEN left(regexp_replace(codeCPV, '[^0-9]', '', 'g'), 2) END AS cpv,
          CASE WHEN TRY_CAST(left(trim(dateNotification), 4) AS INTEGER)
                    BETWEEN {YEAR_MIN} AND {year_max}
               THEN TRY_CAST(left(trim(dateNotification), 4) AS INTEGER) END
            AS year,
          TRY_CAST(TRY_CAST(offresRecues AS DOUBLE) AS INTEGER) AS offers,
          nullif(replace(coalesce(titulaire_id, ''), ' ', ''), '') AS holder,
          upper(trim(titulaire_categorie)) IN ('PME', 'TPE', 'MICRO') AS small,
          {commune} AS commune
        FROM rows JOIN buyers b ON b.siren = left(acheteur_id, 9)
    ),
    c AS (
        SELECT uid, any_value(epci) AS epci, min(version) AS first_version,
          coalesce(max(version) FILTER (WHERE current), max(version))
            AS current_version
        FROM r GROUP BY uid
    ),
    j AS (
        SELECT r.*, c.first_version, c.current_version
        FROM r JOIN c USING (uid) WHERE r.version <= c.current_version
    ),
    k AS (
        SELECT uid, any_value(epci) AS epci,
          any_value(year) FILTER (WHERE version = first_version) AS year,
          any_value(cpv) FILTER (WHERE version = first_version) AS cpv,
          any_value(offers) FILTER (WHERE version = first_version) AS offers,
          arg_max(amount, version) FILTER (WHERE amount IS NOT NULL) AS amount,
          max(version) FILTER (WHERE holder IS NOT NULL) AS holders_version
        FROM j GROUP BY uid
    ),
    places AS (
        SELECT uid, holder, bool_or(small) AS small, any_value(commune) AS commune
        FROM j WHERE holder IS NOT NULL GROUP BY uid, holder
    ),
    h AS (
        SELECT DISTINCT j.uid, j.holder
        FROM j JOIN k USING (uid) WHERE j.version = k.holders_version
    ),
    a AS (
        SELECT k.*, p.commune, coalesce(p.small, FALSE) AS small,
          1.0 / count(*) OVER (PARTITION BY k.uid) AS weight
        FROM k
        LEFT JOIN h USING (uid)
        LEFT JOIN places p ON p.uid = h.uid AND p.holder = h.holder
    ),
    placed AS (
        SELECT a.*,
          CASE
            WHEN a.commune IS NULL THEN 'unknown'
            WHEN m.epci = a.epci THEN 'territory'
            WHEN d.epci IS NOT NULL THEN 'departement'
            ELSE 'elsewhere'
          END AS locality
        FROM a
        LEFT JOIN members m ON m.insee = a.commune
        LEFT JOIN departements d ON d.epci = a.epci AND d.dep =
          CASE WHEN a.commune LIKE '97%' THEN left(a.commune, 3)
               ELSE left(a.commune, 2) END
    )
    SELECT epci AS epci_siren,
      CASE WHEN grouping(year) = 1 THEN {ALL_YEARS} ELSE year END AS year,
      CASE WHEN grouping(cpv) = 1 THEN '{ALL_DIVISIONS}' ELSE cpv END
        AS cpv_division,
      {measures}
    FROM placed
    GROUP BY GROUPING SETS ((epci, year, cpv), (epci, year), (epci, cpv), (epci))
    HAVING (grouping(year) = 1 OR year IS NOT NULL)
       AND (grouping(cpv) = 1 OR cpv IS NOT NULL)
    ORDER BY epci_siren, year, cpv_division
    """


def compute_rows(
    rows: pa.Table, epcis: Iterable[Epci], today: dt.date | None = None
) -> pa.Table:
    """The figures of the rows (as :func:`read_rows` gives them)."""
    buyers, members, departements = buyer_map(epcis)
    year_max = (today or dt.date.today()).year + 1
    connection = duckdb.connect()
    try:
        for name, table in (
            ("rows", rows),
            ("buyers", buyers),
            ("members", members),
            ("departements", departements),
        ):
            connection.register(name, table)
        result: pa.Table = connection.execute(_sql(year_max)).to_arrow_table()
    finally:
        connection.close()
    # Counts and amounts that no contract has are 0, not missing; rounded
    # to the millionth (sums in a parallel engine differ in the last bits).
    return pa.table(
        {
            "epci_siren": result.column("epci_siren"),
            "year": pc.cast(result.column("year"), pa.int32()),
            "cpv_division": result.column("cpv_division"),
            **{
                name: pc.round(
                    pc.fill_null(pc.cast(result.column(name), pa.float64()), 0.0), 6
                )
                for name in MEASURES
            },
        }
    )


def compute(
    path: str,
    epcis: Iterable[Epci],
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Computed:
    """Reads the national file at ``path`` and computes every EPCI's
    figures. Raises PeersReadError when the file is not the consolidation."""
    epcis = list(epcis)
    buyers, _, _ = buyer_map(epcis)
    started = time.monotonic()
    rows, read = read_rows(path, buyers.column("siren").to_pylist(), progress)
    read_at = time.monotonic()
    if progress is not None:
        progress("compute", 0, 1)
    table = compute_rows(rows, epcis, today)
    done = time.monotonic()
    totals = table.filter(
        pc.and_(
            pc.equal(table.column("year"), ALL_YEARS),
            pc.equal(table.column("cpv_division"), ALL_DIVISIONS),
        )
    )
    return Computed(
        table=table,
        rows_read=read,
        rows_kept=rows.num_rows,
        contracts=round(pc.sum(totals.column("contracts")).as_py() or 0),
        epcis=totals.num_rows,
        seconds={"read": read_at - started, "compute": done - read_at},
    )


def as_records(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()
