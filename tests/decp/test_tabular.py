"""The tabular consolidation (decp-processing's decp.parquet and decp.csv):
files of its layout made by the project's generator, read as CSV and as
Parquet, give exactly the contracts, current amounts and awards to PME the
generator says; the current state is the rows marked current; rows are
grouped by uid wherever they are; a Parquet row group without the
territory is not read."""

from __future__ import annotations

import csv
import io
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp import tabular
from ckanext.opendata_territoire.decp.generator import (
    CCMV,
    TABULAR_LAYOUTS,
    TabularGenerator,
)
from ckanext.opendata_territoire.decp.readers import DecpReadError
from tests.decp.conftest import FIXTURES, ccmv_sirens
from tests.decp.library import _library_only  # noqa: F401

SCHEMA = FIXTURES / "schemas" / "decp-tabular.schema.json"
ENGINS = "21380153300017"


def generate(path, layout, contracts=4000, **options):
    options.setdefault("territory_share", 0.05)
    options.setdefault("dirty", 0.05)
    return TabularGenerator(layout, **options).write_file(
        str(path), contracts, row_group_rows=2000
    )


def read(path, buyers=None):
    report = decp.Report()
    with open(path, "rb") as fp:
        contracts = list(decp.read_contracts(fp, buyers=buyers, report=report))
    return contracts, report


def ccmv():
    return decp.BuyerFilter.of(ccmv_sirens())


@pytest.fixture(scope="module", params=TABULAR_LAYOUTS)
def generated(request, tmp_path_factory):
    layout = request.param
    suffix = ".parquet" if layout == "tabular-parquet" else ".csv"
    path = tmp_path_factory.mktemp("tabular") / f"decp{suffix}"
    return layout, path, generate(path, layout)


def test_the_reader_knows_the_columns_of_the_table_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))

    assert {f["name"]: f["type"] for f in schema["fields"]} == tabular.COLUMNS


def test_contracts_and_current_amounts_per_ccmv_buyer(generated):
    layout, path, truth = generated

    contracts, report = read(path, ccmv())

    assert report.file_format == layout
    assert dict(report.by_buyer) == dict(truth.territory_by_buyer)
    assert len(contracts) == truth.territory_contracts > 0
    amounts: dict[str, float] = {}
    for contract in contracts:
        total = amounts.get(contract.buyer_siret, 0.0) + (contract.montant or 0.0)
        amounts[contract.buyer_siret] = round(total, 2)
    assert amounts == truth.territory_amount_by_buyer
    # Rows are counted: every row of the file read, the others' set aside.
    assert report.read == truth.rows
    assert report.rejected_count == 0


def test_awards_to_pme_are_those_of_the_generator(generated):
    _layout, path, truth = generated

    contracts, _report = read(path, ccmv())

    holders = [h for c in contracts for h in c.holders]
    assert len(holders) == truth.territory_awards
    assert sum(h.category == "PME" for h in holders) == truth.territory_awards_to_pme
    # The defect "unknown_category": a titulaire SIRENE does not place.
    assert any(h.category is None and h.commune is None for h in holders)


def test_sirene_fields_are_kept_in_the_contracts_row(generated):
    _layout, path, _truth = generated

    contracts, _report = read(path, ccmv())

    placed = next(c for c in contracts if all(h.category for h in c.holders))
    row = placed.row()
    assert row["acheteur_nom"] in {name for _s, name, _c in CCMV}
    assert row["titulaires_denominationSociale"].split("; ") == [
        h.name for h in placed.holders
    ]
    assert row["titulaires_categorie"].split("; ") == [
        h.category for h in placed.holders
    ]
    assert row["titulaires_commune"].split("; ") == [h.commune for h in placed.holders]
    assert all(h.distance_km is not None for h in placed.holders)


def test_a_modified_contract_keeps_its_initial_amount(generated):
    _layout, path, truth = generated
    assert truth.rules["modification"] > 0

    contracts, _report = read(path)

    modified = [c for c in contracts if c.modifications]
    assert modified
    for contract in modified:
        assert contract.montant == contract.modifications[-1].montant
        assert contract.initial_montant is not None
    assert any(c.initial_montant != c.montant for c in modified)


# Hand-made rows


HEADER = list(tabular.COLUMNS)


def row(uid_id, modification_id, current, montant, titulaire="39458202792573", **more):
    data = dict.fromkeys(HEADER, "")
    base = dict(
        uid=ENGINS + uid_id,
        id=uid_id,
        nature="Marché",
        acheteur_id=ENGINS,
        acheteur_nom="Commune d'Engins",
        titulaire_id=titulaire,
        titulaire_typeIdentifiant="SIRET",
        titulaire_nom="Menuiserie du Vercors",
        titulaire_categorie="PME",
        titulaire_commune_code="38153",
        titulaire_distance="2",
        objet="Menuiseries de l'école",
        montant=str(montant),
        codeCPV="45421000",
        procedure="Procédure adaptée",
        dureeMois="6",
        dateNotification="2024-03-01",
        datePublicationDonnees="2024-03-05",
        modification_id=str(modification_id),
        donneesActuelles="true" if current else "false",
    )
    data.update(base, **more)
    return data


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def read_bytes(data: bytes, buyers=None):
    report = decp.Report()
    contracts = list(decp.read_contracts(io.BytesIO(data), buyers, report))
    return contracts, report


def test_the_current_state_is_the_rows_marked_current():
    # Three versions, the second marked current (a later correction that
    # the producer did not make current is not taken).
    data = csv_bytes(
        [row("A1", 0, False, 1000), row("A1", 1, True, 1200), row("A1", 2, False, 9999)]
    )

    (contract,), _report = read_bytes(data)

    assert contract.initial_montant == 1000
    assert contract.montant == 1200
    assert len(contract.modifications) == 1


def test_rows_of_a_contract_far_apart_are_grouped_by_uid():
    other = row("B1", 0, True, 50, titulaire="11111111100011")
    data = csv_bytes(
        [
            row("A1", 0, True, 1000),
            other,
            row("A1", 0, True, 1000, titulaire="22222222200022", titulaire_nom="Bois"),
        ]
    )

    contracts, report = read_bytes(data)

    by_id = {c.id: c for c in contracts}
    assert [h.id for h in by_id["A1"].holders] == ["39458202792573", "22222222200022"]
    assert [h.name for h in by_id["A1"].holders] == ["Menuiserie du Vercors", "Bois"]
    assert report.kept == 2 and report.read == 3


def test_a_titulaire_sirene_does_not_know_is_said_unknown():
    data = csv_bytes(
        [
            row(
                "A1",
                0,
                True,
                1000,
                titulaire_nom="",
                titulaire_categorie="",
                titulaire_commune_code="",
                titulaire_distance="",
            )
        ]
    )

    (contract,), _report = read_bytes(data)

    (holder,) = contract.holders
    assert (holder.name, holder.category, holder.commune) == (None, None, None)
    assert contract.row()["titulaires_denominationSociale"] is None


def test_bad_cells_are_mended_or_rejected_by_the_cleaning_rules():
    data = csv_bytes(
        [
            row("A1", 0, True, 1000, procedure="procédure adaptée"),
            row("A2", 0, True, "NaN"),
            row("", 0, True, 10),
        ]
    )

    contracts, report = read_bytes(data)

    assert [c.id for c in contracts] == ["A1", "A2"]
    assert report.cleaned["enumeration"] == 1
    assert contracts[1].montant is None
    assert report.rejected_by_reason == {"missing_id": 1}


def test_a_csv_of_another_layout_is_not_read_as_the_consolidation():
    data = b"siret;denomination;montant\n21380153300017;Engins;12\n"

    assert tabular.detect(io.BytesIO(data)) is None
    with pytest.raises(DecpReadError):
        read_bytes(data)


# Parquet: types and row groups


class CountingFile(io.RawIOBase):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        self.read_bytes += len(data)
        return len(data)


def uids(contracts):
    return sorted(
        (c.uid, c.montant, tuple(sorted(h.id for h in c.holders))) for c in contracts
    )


def rewritten(path, tmp_path, name, change) -> bytes:
    table = change(pq.read_table(path))
    target = tmp_path / name
    pq.write_table(table, target, row_group_size=2000)
    return target.read_bytes()


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    path = tmp_path_factory.mktemp("parquet") / "decp.parquet"
    truth = generate(path, "tabular-parquet", contracts=20000, territory_share=0.002)
    return path, truth


def test_row_groups_without_the_territory_are_not_read(parquet, tmp_path):
    path, truth = parquet
    sorted_file = CountingFile(path.read_bytes())
    shuffled = rewritten(
        path,
        tmp_path,
        "shuffled.parquet",
        lambda t: t.take(random.Random(3).sample(range(t.num_rows), t.num_rows)),
    )
    shuffled_file = CountingFile(shuffled)

    found = list(decp.read_contracts(sorted_file, ccmv()))
    found_shuffled = list(decp.read_contracts(shuffled_file, ccmv()))

    assert len(found) == truth.territory_contracts
    assert uids(found) == uids(found_shuffled)
    # Sorted by uid, the territory's rows sit in a few row groups: the rest
    # of the file is not read. Shuffled, every row group is.
    assert sorted_file.read_bytes < 0.3 * path.stat().st_size
    assert shuffled_file.read_bytes > 0.6 * len(shuffled)
    share = tabular.share_to_read(CountingFile(path.read_bytes()), _buyers())
    assert share < 0.3
    assert tabular.share_to_read(CountingFile(shuffled), _buyers()) == 1.0


def _buyers():
    filter_ = ccmv()
    return filter_.sirens, filter_.sirets


def test_a_parquet_written_as_text_gives_the_same_contracts(parquet, tmp_path):
    path, _truth = parquet
    as_text = rewritten(
        path,
        tmp_path,
        "text.parquet",
        lambda t: pa.table(
            {
                name: pa.compute.cast(t.column(name), pa.string())
                for name in t.column_names
            }
        ),
    )

    typed = list(decp.read_contracts(open(path, "rb"), ccmv()))  # noqa: SIM115
    text = list(decp.read_contracts(io.BytesIO(as_text), ccmv()))

    assert uids(text) == uids(typed)


def test_an_integer_siret_keeps_its_leading_zero(tmp_path):
    rows = [row("A1", 0, True, 1000), row("Z1", 0, True, 10)]
    rows[1].update(uid="01234567800019Z1", acheteur_id="01234567800019")
    types = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    columns = {}
    for name, kind in tabular.COLUMNS.items():
        values = [r[name] or None for r in rows]
        if kind in ("integer", "number"):
            values = [None if v is None else float(v) for v in values]
        elif kind == "boolean":
            values = [None if v is None else v == "true" for v in values]
        columns[name] = pa.array(values, types.get(kind, pa.string()))
    target = tmp_path / "zero.parquet"
    pq.write_table(pa.table(columns), target)

    contracts, report = read(target, decp.BuyerFilter.of(["012345678"]))

    assert [c.buyer_siret for c in contracts] == ["01234567800019"]
    assert report.outside == 1


def test_a_truncated_parquet_is_a_read_error(parquet, tmp_path):
    path, _truth = parquet
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    with pytest.raises(DecpReadError):
        read(cut, ccmv())
