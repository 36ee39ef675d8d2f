"""Where the territory stands among its peers.

Peers: the EPCIs of the same kind (CC, CA, CU, métropole; the Métropole de
Lyon counts as a métropole) whose population (DGCL *population totale*, in
the reference data) is within a factor
``ckanext.territoire.peers.population_ratio`` (default 2: from half to twice)
of the territory's. A peer counts in a figure when the national file gives
it contracts under the filters (and, for a share of the amount, an amount);
EPCIs without contracts are absent from the file, so from the comparison.

For each figure: the territory's value; its rank among itself and its
peers, 1 for the highest value (ties share the better rank); the peers'
median and quartiles (the territory left out; linear interpolation, as
``statistics.quantiles(method="inclusive")``); the national median over
every EPCI of France with a value (the territory included).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.opendata_territoire.observatory import stats
from ckanext.opendata_territoire.peers import compute
from ckanext.opendata_territoire.peers.model import PeerFigure, PeerRefresh
from ckanext.opendata_territoire.territory import reference

DEFAULT_RATIO = 2.0


def _share(part: str, whole: str) -> Callable[[dict[str, float]], float | None]:
    def value(row: dict[str, float]) -> float | None:
        return row[part] / row[whole] if row[whole] else None

    return value


# Each figure: its key and how it is computed from an EPCI's sums.
FIGURES: dict[str, Callable[[dict[str, float]], float | None]] = {
    "territory_amount_share": _share("territory_amount", "amount"),
    "territory_contracts_share": _share("territory_contracts", "contracts"),
    "departement_amount_share": _share("departement_amount", "amount"),
    "departement_contracts_share": _share("departement_contracts", "contracts"),
    "small_amount_share": _share("small_amount", "amount"),
    "small_contracts_share": _share("small_contracts", "contracts"),
    "single_offer_share": _share("single_offer", "offers_known"),
    "unknown_amount_share": _share("unknown_amount", "amount"),
    "contracts": lambda row: row["contracts"] or None,
    "amount": lambda row: row["amount"] or None,
}


class PeersUnavailable(Exception):
    """The comparison cannot be made (no reference data for the EPCI)."""


def population_ratio() -> float:
    value = tk.config.get("ckanext.territoire.peers.population_ratio")
    try:
        ratio = float(value) if value not in (None, "") else DEFAULT_RATIO
    except (TypeError, ValueError):
        ratio = DEFAULT_RATIO
    return ratio if ratio >= 1 else DEFAULT_RATIO


def same_kind(a: str, b: str) -> bool:
    return compute._kind(a) == compute._kind(b)


def peers_of(
    epci: reference.Epci, epcis: dict[str, reference.Epci], ratio: float
) -> list[reference.Epci]:
    """The EPCIs of the same kind and a population within ``ratio``."""
    if not epci.population:
        return []
    low, high = epci.population / ratio, epci.population * ratio
    return [
        other
        for other in epcis.values()
        if other.siren != epci.siren
        and same_kind(other.kind, epci.kind)
        and other.population is not None
        and low <= other.population <= high
    ]


def sums(years: list[int], divisions: list[str]) -> dict[str, dict[str, float]]:
    """Every EPCI's sums under the filters, by SIREN (one indexed read)."""
    measures = ", ".join(f"sum({name}) AS {name}" for name in compute.MEASURES)
    rows = model.Session.execute(
        sa.text(
            f"""
            SELECT epci_siren, {measures}
            FROM {PeerFigure.__tablename__}
            WHERE year = ANY(:years) AND cpv_division = ANY(:divisions)
            GROUP BY epci_siren
            """
        ),
        {
            "years": years or [compute.ALL_YEARS],
            "divisions": divisions or [compute.ALL_DIVISIONS],
        },
    )
    return {
        row.epci_siren: {name: float(getattr(row, name)) for name in compute.MEASURES}
        for row in rows
    }


def last_refresh() -> PeerRefresh | None:
    return model.Session.get(PeerRefresh, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def quartiles(values: list[float]) -> tuple[float, float, float] | None:
    """First quartile, median, third quartile; None without values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def rank(value: float, others: list[float]) -> int:
    """1 + how many of ``others`` are higher."""
    return 1 + sum(1 for other in others if other > value)


def figure(
    key: str,
    own: dict[str, float] | None,
    peer_rows: list[dict[str, float]],
    national_rows: list[dict[str, float]],
) -> dict[str, Any]:
    compute_value = FIGURES[key]
    value = compute_value(own) if own is not None else None
    peer_values = [v for v in map(compute_value, peer_rows) if v is not None]
    national = [v for v in map(compute_value, national_rows) if v is not None]
    spread = quartiles(peer_values)
    return {
        "key": key,
        "value": _round(value),
        "rank": rank(value, peer_values) if value is not None else None,
        "ranked": len(peer_values) + (1 if value is not None else 0),
        "peers": len(peer_values),
        "peers_q1": _round(spread[0]) if spread else None,
        "peers_median": _round(spread[1]) if spread else None,
        "peers_q3": _round(spread[2]) if spread else None,
        "peers_min": _round(min(peer_values)) if peer_values else None,
        "peers_max": _round(max(peer_values)) if peer_values else None,
        "national_median": _round(statistics.median(national)) if national else None,
        "national": len(national),
    }


def territory_epci(siren: str | None = None) -> reference.Epci:
    siren = siren or str(tk.config.get("ckanext.territoire.epci_siren"))
    try:
        epci = reference.all_epcis().get(siren)
    except reference.TerritoryError as error:
        raise PeersUnavailable(str(error)) from error
    if epci is None:
        raise PeersUnavailable(
            tk._("No EPCI with SIREN {siren} in the reference data.").format(
                siren=siren
            )
        )
    return epci


def comparison(data_dict: dict[str, Any]) -> dict[str, Any]:
    """What the action returns (see actions.py)."""
    years = stats.years(data_dict)
    divisions = stats.divisions(data_dict)
    epci = territory_epci()
    ratio = population_ratio()
    epcis = reference.all_epcis()
    peers = peers_of(epci, epcis, ratio)
    refreshed = last_refresh()
    found = sums(years, divisions) if refreshed is not None else {}
    own = found.get(epci.siren)
    peer_rows = [found[p.siren] for p in peers if p.siren in found]
    national_rows = list(found.values())
    population = epci.population or 0
    return {
        "available": refreshed is not None,
        "refreshed": refreshed.refreshed.isoformat() if refreshed else None,
        "source": refreshed.source if refreshed else None,
        "epci": {
            "siren": epci.siren,
            "name": epci.name,
            "kind": epci.kind,
            "population": epci.population,
            "contracts": round(own["contracts"], 2) if own else 0,
            "amount": round(own["amount"], 2) if own else 0,
        },
        "rule": {
            "kind": compute._kind(epci.kind),
            "population_ratio": ratio,
            "population_min": round(population / ratio),
            "population_max": round(population * ratio),
        },
        "filters": {"years": years, "cpv": divisions},
        "peers_total": len(peers),
        "peers_with_data": len(peer_rows),
        "national_epcis": len(national_rows),
        "figures": [figure(key, own, peer_rows, national_rows) for key in FIGURES],
        "peer_list": sorted(
            (
                {
                    "siren": p.siren,
                    "name": p.name,
                    "population": p.population,
                    "contracts": round(found[p.siren]["contracts"], 2)
                    if p.siren in found
                    else 0,
                }
                for p in peers
            ),
            key=lambda p: (-p["contracts"], p["name"]),
        ),
    }
