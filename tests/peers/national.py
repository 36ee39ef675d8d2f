"""A national tabular file for the peers' tests, and the figures computed
from it directly, in plain Python, row by row: what peers/compute.py must
find.

The file holds contracts of real EPCIs (their SIRENs and their member
communes' from the reference data) and of buyers of no EPCI, in the layout
of the consolidation (one row per contract, titulaire and modification),
with what the real file has: modifications that change the amount and the
titulaires, a modification beyond the current one, several titulaires, a
titulaire without commune or category, TPE, an absurd amount, contracts
without CPV or offers, an unreadable date, a contract without titulaire,
identifiers with lost leading zeros.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from typing import Any

from ckanext.opendata_territoire.decp.tabular import COLUMNS

CPV = ("45000000", "71000000", "72000000", "90500000", "34110000")
CATEGORIES = ("PME", "PME", "TPE", "ETI", "GE", "")
TRUE = {"true", "1", "oui", "vrai", "t", "yes"}


def _departement(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def write_national(path, epcis, pool, contracts_per_epci=40, others=300, seed=7):
    """Writes the CSV; returns the number of contracts. ``pool``: the INSEE
    codes titulaires are placed in (every commune of France)."""
    rng = random.Random(seed)
    all_communes = sorted(pool)
    rows: list[dict[str, Any]] = []
    number = 0

    def firm(epci):
        draw = rng.random()
        members = [m.insee for m in epci.members]
        if draw < 0.3:
            commune = rng.choice(members)
        elif draw < 0.5:
            dep = _departement(rng.choice(members))
            near = [c for c in all_communes if _departement(c) == dep]
            commune = rng.choice(near)
        elif draw < 0.9:
            commune = rng.choice(all_communes)
        else:
            commune = ""
        siret = f"{rng.randrange(10**12, 10**14):014d}"
        return siret, commune, rng.choice(CATEGORIES)

    def contract(buyer, epci):
        nonlocal number
        number += 1
        year = rng.choice(("2021", "2022", "2023", "2024"))
        base = {
            "uid": f"{buyer}C{number:06d}",
            "id": f"C{number:06d}",
            # A SIRET written as a number loses its leading zero.
            "acheteur_id": buyer.lstrip("0") if rng.random() < 0.5 else buyer,
            "nature": "Marché",
            "codeCPV": rng.choice(CPV) if rng.random() > 0.05 else "",
            "dateNotification": f"{year}-05-12" if rng.random() > 0.02 else "NC",
            "offresRecues": str(rng.choice((1, 1, 2, 3, 5)))
            if rng.random() > 0.1
            else "",
        }
        holders = [firm(epci) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        if rng.random() < 0.03:
            holders = [("", "", "")]
        amount = round(rng.lognormvariate(10, 1.2), 2)
        if rng.random() < 0.02:
            amount = 1.0e17  # absurd: as if not given
        versions = [(0, amount, holders)]
        if rng.random() < 0.2:
            new_holders = [firm(epci)] if rng.random() < 0.5 else holders
            new_amount = round(amount * rng.uniform(1.05, 1.3), 2)
            if rng.random() < 0.2:
                new_amount = -5  # invalid: the previous amount stays
            versions.append((1, new_amount, new_holders))
            if rng.random() < 0.3:
                # A later version not (yet) the current one.
                versions.append((2, amount * 9, [firm(epci)]))
        current = 1 if len(versions) > 1 else 0
        if len(versions) == 1 or rng.random() < 0.1:
            current = None  # no row marked: the last version is current
        for version, value, version_holders in versions:
            for siret, commune, category in version_holders:
                rows.append(
                    {
                        **base,
                        "montant": value,
                        "modification_id": version,
                        "donneesActuelles": "true" if version == current else "false",
                        "titulaire_id": siret,
                        "titulaire_typeIdentifiant": "SIRET",
                        "titulaire_commune_code": commune,
                        "titulaire_categorie": category,
                    }
                )

    for epci in epcis:
        buyers = [epci.siren, *[m.siren for m in epci.members if m.siren]]
        for _ in range(contracts_per_epci):
            siret = rng.choice(buyers) + f"{rng.randrange(10, 99999):05d}"
            contract(siret, epci)
    nobody = epcis[0]
    for _ in range(others):
        contract(f"9{rng.randrange(10**12, 10**13)}", nobody)
    rng.shuffle(rows)  # a contract's rows need not be adjacent
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return number


def _amount(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 10_000_000_000 else None


def direct_figures(path, epcis):
    """{(epci SIREN, year, division): sums} computed row by row from the
    CSV file; year 0 and division "" are the totals."""
    with open(path, encoding="utf-8", newline="") as fp:
        return direct_from_rows(csv.DictReader(fp), epcis)


def direct_from_rows(file_rows, epcis):
    """The same from the file's rows (dicts of texts, "" or None when
    empty), e.g. a Parquet file's read by pyarrow (bench/peers.py)."""
    by_siren = {}
    members = {}
    departements = defaultdict(set)
    for epci in epcis:
        by_siren[epci.siren] = epci.siren
        for m in epci.members:
            by_siren.setdefault(m.siren, epci.siren)
            members[m.insee] = epci.siren
            departements[epci.siren].add(_departement(m.insee))
    contracts = defaultdict(list)
    for raw in file_rows:
        row = {key: "" if value is None else str(value) for key, value in raw.items()}
        buyer = row["acheteur_id"].zfill(14)[:9]
        if buyer in by_siren:
            contracts[row["uid"]].append(row)
    sums = defaultdict(lambda: defaultdict(float))
    for rows in contracts.values():
        epci = by_siren[rows[0]["acheteur_id"].zfill(14)[:9]]
        versions = sorted({int(r["modification_id"]) for r in rows})
        marked = [
            int(r["modification_id"])
            for r in rows
            if r["donneesActuelles"].lower() in TRUE
        ]
        current = max(marked) if marked else versions[-1]
        rows = [r for r in rows if int(r["modification_id"]) <= current]
        first = next(r for r in rows if int(r["modification_id"]) == versions[0])
        amount = None
        for version in sorted({int(r["modification_id"]) for r in rows}):
            value = _amount(
                next(r for r in rows if int(r["modification_id"]) == version)["montant"]
            )
            if value is not None:
                amount = value
        named = [int(r["modification_id"]) for r in rows if r["titulaire_id"]]
        holders = (
            sorted(
                {
                    r["titulaire_id"]
                    for r in rows
                    if int(r["modification_id"]) == max(named) and r["titulaire_id"]
                }
            )
            if named
            else [None]
        )
        place = {}
        for r in rows:
            if r["titulaire_id"]:
                place[r["titulaire_id"]] = (
                    r["titulaire_commune_code"],
                    r["titulaire_categorie"],
                )
        year = first["dateNotification"][:4]
        year = int(year) if year.isdigit() else None
        digits = "".join(ch for ch in first["codeCPV"] if ch.isdigit())
        division = digits[:2] if len(digits) >= 2 else None
        offers = int(first["offresRecues"]) if first["offresRecues"] else None
        weight = 1 / len(holders)
        for holder in holders:
            commune, category = place.get(holder, ("", "")) if holder else ("", "")
            if not commune:
                locality = "unknown"
            elif members.get(commune) == epci:
                locality = "territory"
            elif _departement(commune) in departements[epci]:
                locality = "departement"
            else:
                locality = "elsewhere"
            small = category in ("PME", "TPE")
            keys = [(epci, 0, "")]
            if year is not None:
                keys.append((epci, year, ""))
            if division is not None:
                keys.append((epci, 0, division))
            if year is not None and division is not None:
                keys.append((epci, year, division))
            for key in keys:
                s = sums[key]
                s["contracts"] += weight
                s["amount"] += weight * (amount or 0)
                if locality != "elsewhere":
                    s[f"{locality}_contracts"] += weight
                    s[f"{locality}_amount"] += weight * (amount or 0)
                if small:
                    s["small_contracts"] += weight
                    s["small_amount"] += weight * (amount or 0)
                if offers is not None:
                    s["offers_known"] += weight
                    if offers == 1:
                        s["single_offer"] += weight
    return sums
