"""The list the action ``territoire_future_contracts`` returns: the renewals
of the territory's buyers' published contracts, expected within a window,
read from the buyers' DataStore tables (the source of truth, with the
objects, durations and titulaires' names the awards table does not copy),
and the planned purchases of the forecast (future/entries.py) whose quarter
overlaps the window, with the same filters.

The buyers are those the observatory counts (observatory/stats.py
``PUBLISHED_BUYER``): a buyer whose procurement dataset is private or
deleted is left out, with its contracts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.opendata_territoire.future import entries, forecast, renewals
from ckanext.opendata_territoire.observatory import contracts, cpv, stats

FIELDS = [
    "uid",
    "type",
    "nature",
    "techniques",
    "objet",
    "codeCPV",
    "procedure",
    "dateNotification",
    "dateDebutExecution",
    "dureeMois",
    "montant",
    "offresRecues",
    "titulaires_denominationSociale",
    "idAccordCadre",
]
PAGE = 32000
MONTHS_DEFAULT = 24
MONTHS_MAX = 60
# The contracts whose end cannot be computed: all counted, this many listed
# (the most recently notified first).
UNKNOWN_LIMIT = 100


@dataclass
class Filters:
    today: dt.date
    months: int
    cpv: list[str] = field(default_factory=list)
    organization_id: str | None = None
    bands: list[str] = field(default_factory=list)

    @property
    def until(self) -> dt.date:
        return renewals.add_months(self.today, self.months)


def published_buyers() -> list[tuple[str, str]]:
    """(organization id, SIREN) of the buyers the observatory counts."""
    rows = model.Session.execute(
        sa.text(
            "SELECT DISTINCT organization_id, buyer_siren "
            "FROM territoire_procurement_award WHERE " + stats.PUBLISHED_BUYER
        )
    )
    return sorted((r.organization_id, r.buyer_siren) for r in rows)


def rows_of(table_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    offset = 0
    while True:
        records = tk.get_action("datastore_search")(
            {"ignore_auth": True},
            {
                "resource_id": table_id,
                "fields": FIELDS,
                "limit": PAGE,
                "offset": offset,
                "sort": "_id",
                "include_total": False,
            },
        )["records"]
        found.extend(records)
        if len(records) < PAGE:
            return found
        offset += PAGE


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _names(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


def item(row: dict[str, Any], org: dict[str, str], end: renewals.End) -> dict[str, Any]:
    digits = "".join(ch for ch in str(row.get("codeCPV") or "") if ch.isdigit())
    division = digits[:2] if len(digits) >= 2 else None
    amount = _number(row.get("montant"))
    offers = _number(row.get("offresRecues"))
    found: dict[str, Any] = {
        "uid": row["uid"],
        "buyer": org["name"],
        "buyer_title": org["title"],
        "object": row.get("objet"),
        "cpv_division": division,
        "cpv_label": cpv.label(division) if division else None,
        "kind": end.kind,
        "nature": row.get("nature"),
        "procedure": row.get("procedure"),
        "framework_agreement_id": row.get("idAccordCadre") or None,
        "start": end.start.isoformat() if end.start else None,
        "duration_months": end.months,
        "amount": amount,
        "amount_band": renewals.amount_band(amount),
        "titulaires": _names(row.get("titulaires_denominationSociale")),
        "offers": int(offers) if offers is not None else None,
        "single_offer": offers == 1,
        "source": "renewal",
    }
    if end.end is not None:
        found.update(
            expected_end=end.end.isoformat(),
            quarter=renewals.quarter(end.end),
            quarter_label=renewals.quarter_label(end.end),
            estimated=True,
        )
    else:
        found.update(
            reason=end.reason, reason_label=tk._(renewals.REASONS[str(end.reason)])
        )
    return found


def planned(filters: Filters) -> list[dict[str, Any]]:
    """The forecast's entries whose quarter overlaps [today, until], with
    the filters, by quarter."""
    until = filters.until
    found = []
    for entry in entries.listed():
        if filters.organization_id and entry.organization_id != filters.organization_id:
            continue
        if filters.cpv and entry.cpv_division not in filters.cpv:
            continue
        if filters.bands and entry.amount_band not in filters.bands:
            continue
        year, quarter = int(entry.year), int(entry.quarter)
        start = forecast.quarter_start(year, quarter)
        end = forecast.quarter_end(year, quarter)
        if end < filters.today or start > until:
            continue
        found.append(entries.as_dict(entry))
    return found


def future_contracts(filters: Filters) -> dict[str, Any]:
    organizations = stats.organizations()
    until = filters.until
    listed: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    for org_id, siren in published_buyers():
        org = organizations.get(org_id)
        if org is None:
            continue
        if filters.organization_id and org_id != filters.organization_id:
            continue
        table_id = contracts.table_of(siren, org)
        if table_id is None:
            continue
        for row in rows_of(table_id):
            end = renewals.expected_end(row)
            entry = item(row, org, end)
            if filters.cpv and entry["cpv_division"] not in filters.cpv:
                continue
            if filters.bands and entry["amount_band"] not in filters.bands:
                continue
            if end.end is None:
                unknown.append(entry)
            elif filters.today <= end.end <= until:
                listed.append(entry)
    listed.sort(key=lambda e: (e["expected_end"], e["buyer"], e["uid"]))
    unknown.sort(key=lambda e: (e["start"] or "", e["uid"]), reverse=True)
    planned_entries = planned(filters)
    return {
        "today": filters.today.isoformat(),
        "until": until.isoformat(),
        "months": filters.months,
        "filters": {
            "cpv": filters.cpv,
            "buyer": next(
                (
                    o["name"]
                    for o in organizations.values()
                    if o["id"] == filters.organization_id
                ),
                None,
            ),
            "amount_band": filters.bands,
        },
        "amount_bands": [
            {
                "key": key,
                "low": low,
                "high": high,
                "label": tk._(renewals.BAND_LABELS[key]),
            }
            for key, low, high in renewals.AMOUNT_BANDS
        ],
        "count": len(listed),
        "renewals": listed,
        "unknown_count": len(unknown),
        "unknown_reasons": dict(Counter(e["reason"] for e in unknown)),
        "unknown": unknown[:UNKNOWN_LIMIT],
        "forecast_count": len(planned_entries),
        "forecast": planned_entries,
    }
