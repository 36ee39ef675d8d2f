"""Every EPCI's figures, computed in DuckDB over the national file, equal a
direct computation in plain Python over the same file (tests/peers/national.py);
Parquet, typed as the consolidation types it, gives the same figures as CSV."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from ckanext.opendata_territoire.peers import compute
from ckanext.opendata_territoire.territory import reference
from tests.peers.national import direct_figures


def by_key(table):
    return {
        (row["epci_siren"], row["year"], row["cpv_division"]): row
        for row in table.to_pylist()
    }


def assert_same(found, expected):
    assert set(found) == set(expected)
    for key, sums in expected.items():
        for name in compute.MEASURES:
            assert found[key][name] == pytest.approx(sums.get(name, 0.0), abs=1e-6), (
                key,
                name,
            )


def test_the_figures_equal_a_direct_computation(national):
    path, epcis = national

    computed = compute.compute(str(path), reference.all_epcis().values())

    expected = direct_figures(str(path), epcis)
    assert_same(by_key(computed.table), expected)
    totals = {k: v for k, v in expected.items() if k[1:] == (0, "")}
    assert computed.epcis == len(totals) == len(epcis)
    assert computed.contracts == round(sum(v["contracts"] for v in totals.values()))
    # Something of each kind was found.
    ccmv = by_key(computed.table)[("243801024", 0, "")]
    assert ccmv["territory_contracts"] > 0
    assert ccmv["departement_contracts"] > 0
    assert ccmv["unknown_contracts"] > 0
    assert 0 < ccmv["single_offer"] < ccmv["offers_known"] < ccmv["contracts"]


def test_a_typed_parquet_file_gives_the_same_figures(national, tmp_path):
    path, _epcis = national
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={
                "uid": pa.string(),
                "acheteur_id": pa.string(),
                "titulaire_id": pa.string(),
                "titulaire_commune_code": pa.string(),
                "codeCPV": pa.string(),
                "offresRecues": pa.string(),
            }
        ),
    )
    # As the consolidation types them: SIRETs as integers (leading zeros
    # lost), amounts as numbers, modification_id as an integer, the flag
    # as a boolean.
    typed = table.set_column(
        table.column_names.index("acheteur_id"),
        "acheteur_id",
        table.column("acheteur_id").cast(pa.int64()),
    )
    typed = typed.set_column(
        typed.column_names.index("donneesActuelles"),
        "donneesActuelles",
        typed.column("donneesActuelles").cast(pa.bool_()),
    )
    parquet = tmp_path / "decp.parquet"
    pq.write_table(typed, parquet, row_group_size=500)
    epcis = list(reference.all_epcis().values())

    from_csv = compute.compute(str(path), epcis)
    from_parquet = compute.compute(str(parquet), epcis)

    expected = {
        key: {name: row[name] for name in compute.MEASURES}
        for key, row in by_key(from_csv.table).items()
    }
    assert_same(by_key(from_parquet.table), expected)


def test_a_file_that_is_not_the_consolidation_is_refused(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", "utf-8")

    with pytest.raises(compute.PeersReadError):
        compute.compute(str(other), [])
