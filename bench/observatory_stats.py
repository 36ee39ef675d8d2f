"""Benchmark of the observatory's figures on 100,000 contracts of 50 buyers.

    .dev/venv/bin/python bench/observatory_stats.py [--ckan-ini test.ini]
        [--contracts 100000] [--buyers 50] [--repeat 30] [--keep] [--json]

Run it with the test environment of this clone (the CKAN_* URLs that
dev/test.sh exports, or its services and the default ports of test.ini): it
writes into that database, not the demo's.

1. Makes 50 buyer organizations (ten of them member communes of the
   configured EPCI) and 100,000 contracts in the DataStore's row shape
   (7 years, 45 CPV divisions, 4 procedures; 80 % with one titulaire, 15 %
   with two, 5 % with three; 30 % without offresRecues; no firm of the
   territory in 8 of the divisions, the gaps to find) drawn from a seeded
   generator, and copies them into the awards table with the code the
   import uses after each buyer (``contracts.replace_buyer``); 8,000 firms,
   500 in the register, the others in the SIRENE cache (10 % not found),
   then ``suppliers.resolve``.
2. Calls ``territoire_procurement_stats`` (and ``territoire_procurement_gaps``)
   in-process, as the API does after its HTTP layer, for the questions the
   page asks: the total, by year, by domain, by buyer, one buyer and one
   year by domain, one procedure by procedure, the gaps. Each is called
   ``--repeat`` times after 3 warm-up calls; prints p50 and p95 per question
   and over all calls. Target: p95 < 200 ms.
3. Removes what it made (unless --keep).
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
PROCEDURES = (
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Marché négocié sans publicité ni mise en concurrence préalable",
    "Procédure avec négociation",
)
NATURES = ("Marché", "Marché de partenariat", "Marché de défense ou de sécurité")
PREFIX = "bench-observatoire-"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def _buyers(count: int, epci: str) -> list[dict[str, str]]:
    import uuid

    from ckan import model

    buyers = []
    for number in range(count):
        group = model.Group(
            name=f"{PREFIX}{number:02d}",
            title=f"Acheteur {number:02d}",
            is_organization=True,
            type="organization",
        )
        group.id = str(uuid.uuid4())
        group.state = "active"
        model.Session.add(group)
        siren = f"9{number:08d}"
        extras = {"siren": siren}
        if number < 10:
            extras.update(
                epci_siren=epci,
                insee_code=f"389{number:02d}",
                collectivite_type="commune",
            )
        for key, value in extras.items():
            model.Session.add(
                model.GroupExtra(
                    group_id=group.id, key=key, value=value, state="active"
                )
            )
        # The observatory counts a buyer's contracts while its procurement
        # dataset is published (public and active): one each, as the
        # import makes them (in the database only: the bench asks no search).
        package = model.Package(
            name=f"{PREFIX}marches-{number:04d}",
            title=f"Marchés publics — Acheteur {number:02d}",
            owner_org=group.id,
            private=False,
            type="dataset",
        )
        package.id = str(uuid.uuid4())
        package.state = "active"
        model.Session.add(package)
        model.Session.add(
            model.PackageExtra(
                package_id=package.id,
                key="decp_buyer_siren",
                value=siren,
                state="active",
            )
        )
        buyers.append({"id": group.id, "name": group.name, "siren": siren})
    model.Session.commit()
    return buyers


def _firms(draw: random.Random, count: int) -> list[dict[str, Any]]:
    firms = []
    for number in range(count):
        where = draw.random()
        if where < 0.2:
            commune = f"389{draw.randrange(10):02d}"  # in the territory
        elif where < 0.5:
            commune = f"38{draw.randrange(100, 999)}"  # in the département
        else:
            departement = draw.choice(["69", "73", "75", "13", "31"])
            commune = f"{departement}{draw.randrange(100, 999)}"
        firms.append(
            {
                "siret": f"8{number:08d}00011",
                "commune": commune,
                "category": draw.choice(["PME", "PME", "PME", "ETI", "GE"]),
            }
        )
    return firms


def setup(contracts_count: int, buyers_count: int, seed: int) -> list[dict[str, str]]:
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model

    from ckanext.opendata_territoire.observatory import contracts, cpv, suppliers
    from ckanext.opendata_territoire.observatory.model import (
        RegisterFirm,
        Supplier,
        now,
    )

    draw = random.Random(seed)
    buyers = _buyers(buyers_count, str(tk.config.get("ckanext.territoire.epci_siren")))
    firms = _firms(draw, 8000)
    register = [{**f, "name": f"Entreprise {i}"} for i, f in enumerate(firms[:500])]
    model.Session.bulk_insert_mappings(RegisterFirm, register)
    model.Session.bulk_insert_mappings(
        Supplier,
        [
            {
                "siret": f["siret"],
                "status": "found" if draw.random() < 0.9 else "not_found",
                "commune": f["commune"],
                "category": f["category"],
                "checked": now(),
            }
            for f in firms[500:]
        ],
    )
    model.Session.commit()
    divisions = list(cpv.DIVISIONS)
    # Domains where no firm of the territory wins: the gaps to find.
    outside = [f for f in firms if not f["commune"].startswith("389")]
    gap_divisions = set(divisions[-8:])
    per_buyer = contracts_count // buyers_count
    for number, buyer in enumerate(buyers):
        rows = []
        for index in range(per_buyer):
            holders = 1 if draw.random() < 0.8 else (2 if draw.random() < 0.75 else 3)
            year = draw.randrange(2019, 2026)
            division = draw.choice(divisions)
            pool = outside if division in gap_divisions else firms
            rows.append(
                {
                    "uid": f"{buyer['siren']}00010{index:06d}",
                    "dateNotification": f"{year}-{draw.randrange(1, 13):02d}-15",
                    "datePublicationDonnees": f"{year}-12-20",
                    "codeCPV": f"{division}{draw.randrange(10**6):06d}",
                    "procedure": draw.choice(PROCEDURES),
                    "nature": draw.choice(NATURES),
                    "montant": round(draw.lognormvariate(10.5, 1.3), 2),
                    "offresRecues": draw.randrange(1, 9)
                    if draw.random() < 0.7
                    else None,
                    "titulaires_id": "; ".join(
                        draw.choice(pool)["siret"] for _ in range(holders)
                    ),
                }
            )
        contracts.replace_buyer(buyer["siren"], buyer["id"], rows)
        print(f"  buyer {number + 1}/{len(buyers)}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    suppliers.resolve()
    model.Session.execute(sa.text("ANALYZE territoire_procurement_award"))
    model.Session.commit()
    return buyers


def cleanup() -> None:
    """Removes the bench's organizations, awards and firms (also those of an
    interrupted run)."""
    from ckan import model

    from ckanext.opendata_territoire.observatory.model import (
        Award,
        RegisterFirm,
        Supplier,
    )

    ids = [
        group_id
        for (group_id,) in model.Session.query(model.Group.id).filter(
            model.Group.name.like(f"{PREFIX}%")
        )
    ]
    model.Session.query(Award).filter(Award.organization_id.in_(ids)).delete(
        synchronize_session=False
    )
    for table in (RegisterFirm, Supplier):
        model.Session.query(table).filter(table.siret.like("8%00011")).delete(
            synchronize_session=False
        )
    packages = [
        package_id
        for (package_id,) in model.Session.query(model.Package.id).filter(
            model.Package.owner_org.in_(ids)
        )
    ]
    model.Session.query(model.PackageExtra).filter(
        model.PackageExtra.package_id.in_(packages)
    ).delete(synchronize_session=False)
    model.Session.query(model.Package).filter(model.Package.id.in_(packages)).delete(
        synchronize_session=False
    )
    model.Session.query(model.GroupExtra).filter(
        model.GroupExtra.group_id.in_(ids)
    ).delete(synchronize_session=False)
    model.Session.query(model.Group).filter(model.Group.id.in_(ids)).delete(
        synchronize_session=False
    )
    model.Session.commit()


def measure(buyers: list[dict[str, str]], repeat: int) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    stats = tk.get_action("territoire_procurement_stats")
    gaps = tk.get_action("territoire_procurement_gaps")
    questions = {
        "total": (stats, {}),
        "by year": (stats, {"group_by": "year"}),
        "by domain": (stats, {"group_by": "cpv"}),
        "by buyer": (stats, {"group_by": "commune"}),
        "one buyer, one year, by domain": (
            stats,
            {"commune": buyers[0]["name"], "years": "2024", "group_by": "cpv"},
        ),
        "one procedure, by procedure": (
            stats,
            {"procedure": PROCEDURES[0], "group_by": "procedure"},
        ),
        "gaps": (gaps, {}),
    }
    results: dict[str, Any] = {}
    every: list[float] = []
    for name, (action, params) in questions.items():
        for _ in range(3):
            answer = action({"ignore_auth": True}, dict(params))
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            answer = action({"ignore_auth": True}, dict(params))
            times.append((time.perf_counter() - started) * 1000)
        every += times
        results[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 0.95), 1),
            "contracts": (answer.get("total") or {}).get("contracts")
            if "total" in answer
            else len(answer["gaps"]),
        }
    results["all calls"] = {
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(_percentile(every, 0.95), 1),
        "contracts": None,
    }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ckan-ini", default=str(REPO / "test.ini"))
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(args.ckan_ini).get_config())
    with app._wsgi_app.test_request_context():
        cleanup()
        started = time.perf_counter()
        try:
            buyers = setup(args.contracts, args.buyers, args.seed)
            setup_s = time.perf_counter() - started
            results = measure(buyers, args.repeat)
        finally:
            if not args.keep:
                cleanup()
    if args.json:
        print(json.dumps({"setup_s": round(setup_s, 1), "results": results}))
        return 0
    print(f"setup (awards table filled and resolved): {setup_s:.1f} s")
    print(f"{'question':34} {'p50 ms':>8} {'p95 ms':>8} {'contracts':>10}")
    for name, figures in results.items():
        count = "" if figures["contracts"] is None else str(figures["contracts"])
        print(f"{name:34} {figures['p50_ms']:>8} {figures['p95_ms']:>8} {count:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
