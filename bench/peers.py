"""Benchmark of the observatory's national comparison (peers/).

    .dev/venv/bin/python bench/peers.py FILE [--ckan-ini test.ini]
        [--repeat 50] [--check 8] [--json]

FILE: a national tabular file, e.g. 1.5 million contracts made by

    .dev/venv/bin/python ../shared/tools/gen_decp.py --format tabular \\
        --contracts 1500000 --dirty 0.05 -o decp-1.5m.parquet

Run it with the test environment of this clone (the CKAN_* URLs that
dev/test.sh exports, or its services and the default ports of test.ini): it
writes into that database's peers' tables, not the demo's.

1. Refresh: ``peers.refresh.refresh(FILE)`` as the command and the harvest
   job run it (read with pyarrow, computed in DuckDB, stored in one
   transaction); its time, by stage. Target: < 60 s.
2. Check: for ``--check`` EPCIs (the CCMV, the EPCIs with most contracts,
   some of the CCMV's peers), the stored totals equal a direct computation
   in plain Python over the same file's rows (tests/peers/national.py).
3. Action: ``territoire_procurement_peers`` called in-process for the
   page's questions (no filter, one year, one division, both, two years and
   two divisions), ``--repeat`` times each after 3 warm-up calls, on the
   file's figures, then again with the table filled for every EPCI of
   France (every year from 2015 to 2024 and 45 divisions: more rows per
   question than the real file gives). p50 and p95. Target: p95 < 200 ms.
4. Empties the peers' tables.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
QUESTIONS: dict[str, dict[str, Any]] = {
    "no filter": {},
    "one year": {"years": "2022"},
    "one division": {"cpv": "45"},
    "one year, one division": {"years": "2022", "cpv": "45"},
    "two years, two divisions": {"years": "2021,2022", "cpv": "45,71"},
}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def measure(repeat: int) -> dict[str, dict[str, float]]:
    from ckan.tests import helpers

    results = {}
    for name, parameters in QUESTIONS.items():
        for _ in range(3):
            helpers.call_action("territoire_procurement_peers", **parameters)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            helpers.call_action("territoire_procurement_peers", **parameters)
            times.append(1000 * (time.perf_counter() - started))
        results[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 0.95), 1),
        }
    return results


def _national() -> Any:
    """tests/peers/national.py (the direct computation), by its path: a
    ``tests`` package of another distribution may be imported already."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "peers_national", REPO / "tests" / "peers" / "national.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(path: str, count: int) -> list[dict[str, Any]]:
    """The stored totals of ``count`` EPCIs against the direct computation."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from ckan import model

    from ckanext.opendata_territoire.peers import compute, figures
    from ckanext.opendata_territoire.peers.model import PeerFigure
    from ckanext.opendata_territoire.territory import reference

    direct_from_rows = _national().direct_from_rows

    epcis = reference.all_epcis()
    totals = {
        f.epci_siren: f
        for f in model.Session.query(PeerFigure).filter_by(year=0, cpv_division="")
    }
    ccmv = epcis["243801024"]
    largest = sorted(totals, key=lambda s: -totals[s].contracts)
    peers = [p.siren for p in figures.peers_of(ccmv, epcis, 2) if p.siren in totals]
    chosen: list[str] = []
    for siren in ["243801024", *largest[: count // 2], *peers]:
        if siren not in chosen and len(chosen) < count:
            chosen.append(siren)
    wanted = [epcis[s] for s in chosen]
    sirens = sorted(
        {e.siren for e in wanted} | {m.siren for e in wanted for m in e.members}
    )
    if path.endswith(".parquet"):
        table = pq.read_table(path, columns=list(compute.COLUMNS))
    else:
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(compute.COLUMNS, pa.string()),
                include_columns=list(compute.COLUMNS),
            ),
        )
    table = compute._as_strings(table)
    buyer = pc.utf8_slice_codeunits(table.column("acheteur_id"), 0, 9)
    rows = table.filter(pc.is_in(buyer, value_set=pa.array(sirens))).to_pylist()
    direct = direct_from_rows(rows, wanted)
    checked = []
    for epci in wanted:
        stored = totals.get(epci.siren)
        expected = direct.get((epci.siren, 0, ""), {})
        differences = {
            name: (getattr(stored, name) if stored else 0.0, expected.get(name, 0.0))
            for name in compute.MEASURES
            if abs((getattr(stored, name) if stored else 0.0) - expected.get(name, 0.0))
            > 1e-4 * max(1.0, abs(expected.get(name, 0.0)))
        }
        checked.append(
            {
                "epci": epci.siren,
                "name": epci.name,
                "contracts": round(expected.get("contracts", 0.0), 2),
                "equal": not differences,
                "differences": differences,
            }
        )
    return checked


def remap_buyers(path: str, seed: int = 2024) -> str:
    """A copy of the Parquet file whose every buyer is an EPCI's or a
    member commune's (each buyer SIRET given the SIREN of a body drawn from
    the reference data, its NIC kept): every contract then counts, the
    heaviest case for the computation (the generator's own buyers are
    mostly no real commune)."""
    import tempfile

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ckanext.opendata_territoire.territory import reference

    bodies = sorted(
        {e.siren for e in reference.all_epcis().values()}
        | {m.siren for e in reference.all_epcis().values() for m in e.members}
    )
    rng = random.Random(seed)
    source = pq.ParquetFile(path)
    target = str(Path(tempfile.mkdtemp(prefix="bench-peers-")) / "remapped.parquet")
    mapping: dict[str, str] = {}
    writer = pq.ParquetWriter(target, source.schema_arrow, compression="zstd")
    for group in range(source.metadata.num_row_groups):
        table = source.read_row_group(group)
        ids = table.column("acheteur_id").to_pylist()
        for siret in set(ids):
            if siret is not None and siret not in mapping:
                mapping[siret] = rng.choice(bodies) + siret[9:]
        new = pa.array([mapping.get(i, i) if i else i for i in ids], pa.string())
        table = table.set_column(
            table.column_names.index("acheteur_id"), "acheteur_id", new
        )
        uids = pc.binary_join_element_wise(
            new, table.column("id"), pa.scalar("", pa.string())
        )
        table = table.set_column(table.column_names.index("uid"), "uid", uids)
        writer.write_table(table)
    writer.close()
    return target


def fill_france(seed: int = 2024) -> int:
    """The table filled for every EPCI of France: every year from 2015 to
    2024 and 45 CPV divisions, with the totals; returns the rows."""
    import pyarrow as pa

    from ckanext.opendata_territoire.peers import compute, refresh
    from ckanext.opendata_territoire.territory import reference

    rng = random.Random(seed)
    divisions = [f"{d:02d}" for d in range(3, 99, 2)][:45]
    columns: dict[str, list[Any]] = {
        "epci_siren": [],
        "year": [],
        "cpv_division": [],
        **{name: [] for name in compute.MEASURES},
    }
    for siren in sorted(reference.all_epcis()):
        for year in [0, *range(2015, 2025)]:
            for division in ["", *divisions]:
                contracts = rng.uniform(1, 50)
                amount = contracts * rng.uniform(5e3, 5e5)
                values = {
                    "contracts": contracts,
                    "amount": amount,
                    "territory_contracts": contracts * rng.random() * 0.5,
                    "territory_amount": amount * rng.random() * 0.5,
                    "departement_contracts": contracts * rng.random() * 0.3,
                    "departement_amount": amount * rng.random() * 0.3,
                    "unknown_contracts": contracts * rng.random() * 0.1,
                    "unknown_amount": amount * rng.random() * 0.1,
                    "small_contracts": contracts * rng.random(),
                    "small_amount": amount * rng.random(),
                    "offers_known": contracts * 0.8,
                    "single_offer": contracts * rng.random() * 0.4,
                }
                columns["epci_siren"].append(siren)
                columns["year"].append(year)
                columns["cpv_division"].append(division)
                for name in compute.MEASURES:
                    columns[name].append(values[name])
    table = pa.table(columns)
    computed = compute.Computed(table=table, epcis=len(reference.all_epcis()))
    return refresh.store(computed, "bench: every EPCI of France", 0.0)


def cleanup() -> None:
    from ckan import model

    from ckanext.opendata_territoire.peers.model import PeerFigure, PeerRefresh

    model.Session.query(PeerFigure).delete()
    model.Session.query(PeerRefresh).delete()
    model.Session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--ckan-ini", default=str(REPO / "test.ini"))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--check", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--remap-buyers",
        action="store_true",
        help="first give every buyer an EPCI's or a member commune's SIREN "
        "(a Parquet file): every contract counts",
    )
    args = parser.parse_args()

    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    from ckanext.opendata_territoire.peers import refresh

    app = make_app(CKANConfigLoader(args.ckan_ini).get_config())
    report: dict[str, Any] = {"file": args.file}
    with app._wsgi_app.test_request_context():
        if args.remap_buyers:
            args.file = remap_buyers(args.file)
            report["remapped"] = args.file
        try:
            done = refresh.refresh(args.file)
            report["refresh"] = {
                "seconds": round(done.seconds, 1),
                "stages": done.stages,
                "rows_read": done.rows_read,
                "contracts": done.contracts,
                "epcis": done.epcis,
                "rows_stored": done.rows,
            }
            report["check"] = check(args.file, args.check)
            report["action_file"] = measure(args.repeat)
            report["rows_france"] = fill_france()
            report["action_france"] = measure(args.repeat)
        finally:
            cleanup()
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    r = report["refresh"]
    print(
        f"refresh: {r['seconds']} s ({r['rows_read']:,} rows read, "
        f"{r['contracts']:,} contracts of {r['epcis']} EPCIs, "
        f"{r['rows_stored']:,} rows stored; by stage {r['stages']})"
    )
    for item in report["check"]:
        state = "equal" if item["equal"] else f"DIFFERENT {item['differences']}"
        name = item["name"][:40]
        print(f"check {item['epci']} {name:40} {item['contracts']:>9}: {state}")
    for key, title in (
        ("action_file", "action, the file's figures"),
        (
            "action_france",
            f"action, every EPCI of France ({report['rows_france']:,} rows)",
        ),
    ):
        print(title)
        for name, figures in report[key].items():
            p50, p95 = figures["p50_ms"], figures["p95_ms"]
            print(f"  {name:28} p50 {p50:>7} ms   p95 {p95:>7} ms")
    return 0 if all(item["equal"] for item in report["check"]) else 1


if __name__ == "__main__":
    sys.exit(main())
