"""The observatory's figures, from the awards table (observatory/model.py).

Each contract counts once: a contract with n titulaires gives each of them
the weight 1/n of its count and of its amount, so that the shares (won in
the territory, in the département, elsewhere, of unknown locality; by small
firms) add up to the whole. A titulaire is "in the territory" when its
establishment is in a member commune of the EPCI (the communes of the
catalogue whose ``epci_siren`` is ``ckanext.territoire.epci_siren``), "in
the département" when it is in another commune of the départements of
these communes, "elsewhere" when its commune is known and elsewhere, and
"unknown" when neither the register nor the SIRENE service gives its
commune (never guessed). The class is placed when the suppliers are resolved
(observatory/suppliers.py, after each import, refresh and rebuild), and
stored on the awards: the figures read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.opendata_territoire.observatory import cpv

GROUPS = ("year", "commune", "cpv", "procedure", "nature")
COLUMNS = {
    "year": "year",
    "commune": "organization_id",
    "cpv": "cpv_division",
    "procedure": "procedure",
    "nature": "nature",
}
LOCALITIES = ("territory", "departement", "elsewhere", "unknown")
GAP_SHARE = 0.05
GAPS_LIMIT = 20
MAX_VALUES = 100


def _error(field_name: str, message: str) -> tk.ValidationError:
    return tk.ValidationError({field_name: [message]})


def _values(data_dict: dict[str, Any], key: str) -> list[str]:
    value = data_dict.get(key)
    if value in (None, "", []):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    found = [str(item).strip() for item in items if str(item).strip()]
    if len(found) > MAX_VALUES:
        raise _error(key, tk._("At most {maximum} values.").format(maximum=MAX_VALUES))
    return found


def years(data_dict: dict[str, Any]) -> list[int]:
    """The checked ``years`` parameter."""
    found = []
    for year in _values(data_dict, "years"):
        if not (year.isdigit() and 1990 <= int(year) <= 2100):
            raise _error(
                "years",
                tk._("{value} is not a year (four digits, from 1990 to 2100).").format(
                    value=year
                ),
            )
        found.append(int(year))
    return found


def divisions(data_dict: dict[str, Any]) -> list[str]:
    """The checked ``cpv`` parameter, as CPV divisions (two digits)."""
    found = []
    for code in _values(data_dict, "cpv"):
        digits = "".join(ch for ch in code if ch.isdigit())
        if len(digits) < 2:
            raise _error(
                "cpv",
                tk._(
                    "{value} is not a CPV code or division (at least two digits)."
                ).format(value=code),
            )
        found.append(digits[:2])
    return found


@dataclass
class Scope:
    """What the figures are about: the territory's communes and
    départements (for locality) and the filters on the contracts."""

    communes: list[str]
    departements: list[str]
    organizations: dict[str, dict[str, str]]  # id -> name, title
    organization_id: str | None = None
    years: list[int] = field(default_factory=list)
    cpv: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)
    natures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        org = self.organizations.get(self.organization_id or "")
        return {
            "commune": org["name"] if org else None,
            "years": self.years,
            "cpv": self.cpv,
            "procedure": self.procedures,
            "nature": self.natures,
        }


def departement(insee: str) -> str:
    return insee[:3] if insee.startswith("97") else insee[:2]


def organizations() -> dict[str, dict[str, str]]:
    """Every active organization with a SIREN (the possible buyers)."""
    rows = model.Session.execute(
        sa.text(
            """
            SELECT g.id, g.name, g.title FROM "group" g
            JOIN group_extra e ON e.group_id = g.id
            WHERE g.is_organization AND g.state = 'active'
              AND e.key = 'siren' AND e.state = 'active' AND e.value <> ''
            """
        )
    )
    return {r.id: {"id": r.id, "name": r.name, "title": r.title} for r in rows}


def territory_communes() -> list[str]:
    """The INSEE codes of the member communes in the catalogue."""
    rows = model.Session.execute(
        sa.text(
            """
            SELECT DISTINCT i.value FROM "group" g
            JOIN group_extra e ON e.group_id = g.id
              AND e.key = 'epci_siren' AND e.state = 'active' AND e.value = :epci
            JOIN group_extra i ON i.group_id = g.id
              AND i.key = 'insee_code' AND i.state = 'active' AND i.value <> ''
            WHERE g.is_organization AND g.state = 'active'
            """
        ),
        {"epci": str(tk.config.get("ckanext.territoire.epci_siren"))},
    )
    return sorted(str(r[0]) for r in rows)


def scope(data_dict: dict[str, Any], with_cpv: bool = True) -> Scope:
    """The checked filters of an action's parameters."""
    communes = territory_communes()
    found = Scope(
        communes=communes,
        departements=sorted({departement(c) for c in communes}),
        organizations=organizations(),
    )
    commune = str(data_dict.get("commune") or "").strip()
    if commune:
        match = [
            o for o in found.organizations.values() if commune in (o["id"], o["name"])
        ]
        if not match:
            raise _error(
                "commune",
                tk._("No buyer organization named {name}.").format(name=commune),
            )
        found.organization_id = match[0]["id"]
    found.years = years(data_dict)
    if with_cpv:
        found.cpv = divisions(data_dict)
    found.procedures = _values(data_dict, "procedure")
    found.natures = _values(data_dict, "nature")
    return found


# The figures are public: they count only the contracts a visitor can read,
# those of buyers whose procurement dataset is public. A buyer's dataset
# made private (or deleted) leaves the figures, and comes back with it.
PUBLISHED_BUYER = """EXISTS (
    SELECT 1 FROM package p
    JOIN package_extra x ON x.package_id = p.id
      AND x.key = 'decp_buyer_siren' AND x.state = 'active'
    WHERE p.owner_org = territoire_procurement_award.organization_id
      AND x.value = territoire_procurement_award.buyer_siren
      AND p.state = 'active' AND NOT p.private
)"""


def _where(found: Scope) -> tuple[str, dict[str, Any]]:
    clauses = [PUBLISHED_BUYER]
    params: dict[str, Any] = {}
    if found.organization_id:
        clauses.append("organization_id = :organization_id")
        params["organization_id"] = found.organization_id
    for name, column, values in (
        ("years", "year", found.years),
        ("cpv", "cpv_division", found.cpv),
        ("procedures", "procedure", found.procedures),
        ("natures", "nature", found.natures),
    ):
        if values:
            clauses.append(f"{column} = ANY(:{name})")
            params[name] = values
    return " AND ".join(clauses), params


def _measures() -> str:
    parts = [
        "sum(weight) AS contracts",
        "sum(weight * amount) AS amount",
        "sum(weight * offers) FILTER (WHERE offers IS NOT NULL) AS offers_sum",
        "sum(weight) FILTER (WHERE offers IS NOT NULL) AS offers_known",
        "sum(weight) FILTER (WHERE offers = 1) AS single_offer",
        "sum(weight) FILTER (WHERE category = 'PME') AS small_contracts",
        "sum(weight * amount) FILTER (WHERE category = 'PME') AS small_amount",
        "sum(weight) FILTER (WHERE category IS NULL) AS size_unknown_contracts",
        "sum(weight * amount) FILTER (WHERE category IS NULL) AS size_unknown_amount",
        "max(published) AS published",
        "sum(weight) FILTER (WHERE origin = 'register') AS origin_register",
        "sum(weight) FILTER (WHERE origin = 'source') AS origin_source",
        "sum(weight) FILTER (WHERE origin = 'sirene') AS origin_sirene",
    ]
    for name in LOCALITIES:
        parts.append(f"sum(weight) FILTER (WHERE locality = '{name}') AS {name}_c")
        parts.append(
            f"sum(weight * amount) FILTER (WHERE locality = '{name}') AS {name}_a"
        )
    return ",\n".join(parts)


def _number(value: Any, digits: int = 2) -> float:
    return round(float(value or 0), digits)


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(row: Any) -> dict[str, Any]:
    contracts = _number(row.contracts)
    amount = _number(row.amount)
    figures: dict[str, Any] = {
        "contracts": round(contracts),
        "amount": amount,
        "single_offer": _number(row.single_offer),
        "offers_known": _number(row.offers_known),
        "offers_average": round(float(row.offers_sum) / float(row.offers_known), 2)
        if row.offers_known
        else None,
        "small": {
            "contracts": _number(row.small_contracts),
            "amount": _number(row.small_amount),
            "amount_share": _share(_number(row.small_amount), amount),
        },
        "size_unknown": {
            "contracts": _number(row.size_unknown_contracts),
            "amount": _number(row.size_unknown_amount),
        },
        # Where the titulaires' places come from (contracts, weighted):
        # the register of local firms, the contracts' source, SIRENE.
        "origins": {
            "register": _number(row.origin_register),
            "source": _number(row.origin_source),
            "sirene": _number(row.origin_sirene),
        },
    }
    for name in LOCALITIES:
        part_c = _number(getattr(row, f"{name}_c"))
        part_a = _number(getattr(row, f"{name}_a"))
        figures[name] = {
            "contracts": part_c,
            "amount": part_a,
            "contracts_share": _share(part_c, contracts),
            "amount_share": _share(part_a, amount),
        }
    return figures


def _label(group: str, key: Any, found: Scope) -> str:
    if key is None:
        return ""
    if group == "commune":
        org = found.organizations.get(str(key))
        return org["title"] if org else str(key)
    if group == "cpv":
        return cpv.label(str(key))
    return str(key)


def _key(group: str, key: Any, found: Scope) -> Any:
    if group == "commune" and key is not None:
        org = found.organizations.get(str(key))
        return org["name"] if org else key
    return key


def procurement_stats(found: Scope, group: str | None) -> dict[str, Any]:
    where, params = _where(found)
    awards = f"""
        FROM territoire_procurement_award WHERE {where}
    """
    if group:
        column = COLUMNS[group]
        query = f"""
            SELECT {column} AS key, grouping({column}) = 1 AS is_total,
              {_measures()} {awards}
            GROUP BY ROLLUP({column})
            ORDER BY is_total, key NULLS LAST
        """
    else:
        query = f"SELECT NULL AS key, TRUE AS is_total, {_measures()} {awards}"
    rows = list(model.Session.execute(sa.text(query), params))
    total = next((r for r in rows if r.is_total), None)
    groups = []
    if group:
        for row in rows:
            if row.is_total:
                continue
            groups.append(
                {
                    "key": _key(group, row.key, found),
                    "label": _label(group, row.key, found),
                    **_figures(row),
                }
            )
    if group == "commune":
        groups.sort(key=lambda g: str(g["label"]))
    published = total.published if total is not None else None
    return {
        "filters": found.as_dict(),
        "group_by": group,
        "total": _figures(total) if total is not None else None,
        "groups": groups,
        "data_date": published.isoformat() if isinstance(published, dt.date) else None,
        "territory_communes": found.communes,
        "departements": found.departements,
    }


def procurement_gaps(
    found: Scope, max_share: float = GAP_SHARE, limit: int = GAPS_LIMIT
) -> dict[str, Any]:
    """The CPV divisions where firms of the territory win at most
    ``max_share`` of the amount, by amount spent, largest first."""
    where, params = _where(found)
    query = f"""
        SELECT cpv_division AS key, FALSE AS is_total, {_measures()}
        FROM territoire_procurement_award
        WHERE {where} AND cpv_division IS NOT NULL
        GROUP BY cpv_division
        HAVING sum(weight * amount) > 0
          AND coalesce(sum(weight * amount) FILTER (WHERE locality = 'territory'), 0)
              <= :max_share * sum(weight * amount)
        ORDER BY sum(weight * amount) DESC, cpv_division
        LIMIT :limit
    """
    params.update(max_share=max_share, limit=limit)
    rows = model.Session.execute(sa.text(query), params)
    return {
        "filters": found.as_dict(),
        "max_local_share": max_share,
        "gaps": [
            {"key": row.key, "label": cpv.label(row.key), **_figures(row)}
            for row in rows
        ],
    }


def options() -> dict[str, list[Any]]:
    """The values present in the awards, for the page's filters."""
    rows = model.Session.execute(
        sa.text(
            """
            SELECT array_agg(DISTINCT year) FILTER (WHERE year IS NOT NULL),
                   array_agg(DISTINCT cpv_division)
                     FILTER (WHERE cpv_division IS NOT NULL),
                   array_agg(DISTINCT procedure) FILTER (WHERE procedure IS NOT NULL),
                   array_agg(DISTINCT nature) FILTER (WHERE nature IS NOT NULL),
                   array_agg(DISTINCT organization_id)
            FROM territoire_procurement_award
            WHERE """
            + PUBLISHED_BUYER
        )
    ).one()
    return {
        "years": sorted(rows[0] or []),
        "cpv": sorted(rows[1] or []),
        "procedures": sorted(rows[2] or []),
        "natures": sorted(rows[3] or []),
        "organizations": sorted(rows[4] or []),
    }
