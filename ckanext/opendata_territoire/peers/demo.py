"""The demo's national file: the CCMV among its peers without internet.

`ckan territoire peers seed-demo` writes a small file in the layout of the
national tabular consolidation (only the columns the peers' figures read,
plus those that tell the consolidation from another CSV) and refreshes the
figures from it:

- the CCMV's contracts are those of the demo's DECP sample
  (decp/samples/decp-ccmv-demo.json, read and cleaned by the project's own
  reader, modifications applied), its titulaires placed by the sample's
  firms file, as the demo's register places them: the CCMV's figures are
  those its observatory shows;
- every other EPCI of France (the reference data) gets made-up contracts,
  some dozens, bought by itself or its member communes, with a share of
  local firms, of firms of the département and of PME drawn for that EPCI:
  a spread of figures to compare with. The same file every time (a seed per
  EPCI); it says nothing of the real EPCIs.
"""

from __future__ import annotations

import csv
import json
import random
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ckanext.opendata_territoire.decp.model import Holder
from ckanext.opendata_territoire.decp.pipeline import BuyerFilter, read_contracts
from ckanext.opendata_territoire.peers import compute, refresh
from ckanext.opendata_territoire.territory import reference

PACKAGE = Path(__file__).resolve().parent.parent
SAMPLE = PACKAGE / "decp" / "samples" / "decp-ccmv-demo.json"
FIRMS = PACKAGE / "decp" / "samples" / "decp-ccmv-demo-firms.json"
CCMV = "243801024"
# Columns written: what compute.py reads.
HEADER = list(compute.COLUMNS)
CPV = ("45000000", "71000000", "90500000", "79340000", "34110000", "55520000")
YEARS = (2021, 2022, 2023, 2024)
DEMO_LABEL = "decp-national-demo.csv"


class DemoError(Exception):
    pass


def _row(**values: Any) -> dict[str, Any]:
    return {name: values.get(name, "") for name in HEADER}


def ccmv_rows(epci: reference.Epci) -> Iterator[dict[str, Any]]:
    """The demo sample's contracts of the CCMV's bodies, current state."""
    firms = json.loads(FIRMS.read_text("utf-8"))
    buyers = BuyerFilter.of([epci.siren, *[m.siren for m in epci.members if m.siren]])
    with SAMPLE.open("rb") as fp:
        for contract in read_contracts(fp, buyers):
            offers = contract.record.get("offresRecues")
            common = {
                "uid": contract.uid,
                "id": contract.id,
                "acheteur_id": contract.buyer_siret,
                "modification_id": 0,
                "donneesActuelles": "true",
                "montant": "" if contract.montant is None else contract.montant,
                "codeCPV": contract.cpv or "",
                "dateNotification": contract.notification_date or "",
                "offresRecues": offers if isinstance(offers, int) else "",
            }
            holders: list[Holder | None] = list(contract.holders) or [None]
            for holder in holders:
                firm = firms.get(holder.id) if holder is not None else None
                yield _row(
                    **common,
                    titulaire_id=holder.id if holder is not None else "",
                    titulaire_categorie=(firm or {}).get("categorie") or "",
                    titulaire_commune_code=(firm or {}).get("commune") or "",
                )


def _by_departement(epcis: list[reference.Epci]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for epci in epcis:
        for member in epci.members:
            found.setdefault(compute.departement(member.insee), []).append(member.insee)
    return found


def made_up_rows(
    epci: reference.Epci, communes: dict[str, list[str]], all_communes: list[str]
) -> Iterator[dict[str, Any]]:
    """Some dozens of made-up contracts of an EPCI, always the same."""
    rng = random.Random(zlib.crc32(epci.siren.encode()))
    members = [m.insee for m in epci.members]
    if not members:
        return
    own = set(members)
    departements = sorted({compute.departement(c) for c in members})
    near = [c for d in departements for c in communes.get(d, []) if c not in own]
    local, in_departement = rng.uniform(0.05, 0.5), rng.uniform(0.1, 0.4)
    small, single = rng.uniform(0.4, 0.9), rng.uniform(0.1, 0.5)
    buyers = [epci.siren, *[m.siren for m in epci.members if m.siren]]
    count = max(8, min(60, (epci.population or 0) // 1500))
    for number in range(count):
        buyer = (
            rng.choice(buyers) + f"{rng.randrange(1, 99):03d}{rng.randrange(10, 99)}"
        )
        draw = rng.random()
        if draw < local:
            commune = rng.choice(members)
        elif draw < local + in_departement and near:
            commune = rng.choice(near)
        else:
            commune = rng.choice(all_communes)
        year = rng.choice(YEARS)
        yield _row(
            uid=f"{buyer}{year}D{number:04d}",
            id=f"{year}D{number:04d}",
            acheteur_id=buyer,
            modification_id=0,
            donneesActuelles="true",
            montant=round(rng.lognormvariate(10.5, 1.2), 2),
            codeCPV=rng.choice(CPV),
            dateNotification=f"{year}-{rng.randrange(1, 13):02d}-15",
            offresRecues=1 if rng.random() < single else rng.randrange(2, 7),
            titulaire_id=f"{rng.randrange(10**13, 10**14)}",
            titulaire_categorie="PME" if rng.random() < small else "ETI",
            titulaire_commune_code=commune,
        )


def write(path: str) -> int:
    """Writes the demo's national file (CSV); returns its contracts' rows."""
    epcis = sorted(reference.all_epcis().values(), key=lambda e: e.siren)
    ccmv = next((e for e in epcis if e.siren == CCMV), None)
    if ccmv is None:
        raise DemoError(f"the CCMV ({CCMV}) is not in the reference data")
    communes = _by_departement(epcis)
    all_communes = sorted(c for codes in communes.values() for c in codes)
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=HEADER)
        writer.writeheader()
        for row in ccmv_rows(ccmv):
            writer.writerow(row)
            written += 1
        for epci in epcis:
            if epci.siren == CCMV:
                continue
            for row in made_up_rows(epci, communes, all_communes):
                writer.writerow(row)
                written += 1
    return written


def seed(
    output: str | None = None, progress: compute.Progress | None = None
) -> refresh.Refreshed:
    """Writes the demo's national file and refreshes the figures from it."""
    if output:
        write(output)
        return refresh.refresh(output, progress)
    with tempfile.TemporaryDirectory(prefix="peers-demo-") as folder:
        path = str(Path(folder) / "decp-national-demo.csv")
        write(path)
        return refresh.refresh(path, progress, label=DEMO_LABEL)
