"""The awards table, derived from the buyers' DataStore tables.

The DataStore rows published by the DECP import and harvester stay the one
source of truth; ``territoire_procurement_award`` is a copy shaped for the
figures (one row per contract and titulaire, see observatory/model.py), in
CKAN's database next to the supplier cache, so that one indexed scan answers
a question. It is rebuilt per buyer after each import or harvest that
changed the buyer's table (the DECP publication tells it through
interfaces.py's IProcurementListener; plugin.py calls :func:`sync_buyer`), and
wholly by ``ckan territoire observatory rebuild``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.observatory import suppliers
from ckanext.opendata_territoire.observatory.model import Award
from ckanext.opendata_territoire.territory.buyers import find_dataset, territory_buyers

FIELDS = [
    "uid",
    "dateNotification",
    "datePublicationDonnees",
    "codeCPV",
    "procedure",
    "nature",
    "montant",
    "offresRecues",
    "titulaires_id",
    "titulaires_categorie",
    "titulaires_commune",
]
PAGE = 32000


def table_of(siren: str, org: dict[str, Any]) -> str | None:
    """The id of the DataStore table of the buyer's procurement dataset."""
    dataset = find_dataset(siren, org["id"])
    if dataset is None:
        return None
    for resource in dataset.get("resources", []):
        if resource.get("url_type") == "datastore":
            return str(resource["id"])
    return None


def stored_rows(table_id: str) -> Iterable[dict[str, Any]]:
    context = {"ignore_auth": True}
    offset = 0
    while True:
        records = tk.get_action("datastore_search")(
            dict(context),
            {
                "resource_id": table_id,
                "fields": FIELDS,
                "limit": PAGE,
                "offset": offset,
                "sort": "_id",
                "include_total": False,
            },
        )["records"]
        yield from records
        if len(records) < PAGE:
            return
        offset += PAGE


def _year(value: Any) -> int | None:
    text = str(value or "")[:4]
    return int(text) if text.isdigit() else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def awards(row: dict[str, Any], org_id: str, siren: str) -> list[dict[str, Any]]:
    """The rows of the awards table for one contract row."""
    ids = _split(row.get("titulaires_id"))
    holders = [h for h in ids if h] or [""]
    # The source's places, aligned with the ids (one per titulaire, empty
    # where unknown); ignored when they do not line up.
    categories = _aligned(row.get("titulaires_categorie"), ids)
    communes = _aligned(row.get("titulaires_commune"), ids)
    cpv = "".join(ch for ch in str(row.get("codeCPV") or "") if ch.isdigit())
    common = {
        "uid": row["uid"],
        "organization_id": org_id,
        "buyer_siren": siren,
        "year": _year(row.get("dateNotification")),
        "cpv_division": cpv[:2] if len(cpv) >= 2 else None,
        "procedure": row.get("procedure") or None,
        "nature": row.get("nature") or None,
        "amount": _number(row.get("montant")),
        "offers": _int(row.get("offresRecues")),
        "published": _date(row.get("datePublicationDonnees")),
        "weight": 1.0 / len(holders),
    }
    return [
        {
            **common,
            "rank": rank,
            "siret": siret.replace(" ", ""),
            "source_category": suppliers.category(categories[rank]),
            "source_commune": communes[rank] or None,
        }
        for rank, siret in enumerate(holders)
    ]


def _split(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").split(";")]


def _aligned(value: Any, ids: list[str]) -> list[str]:
    """The source's values for the non-empty ids, in their order."""
    parts = _split(value)
    if len(parts) != len(ids):
        parts = [""] * len(ids)
    return [part for part, siret in zip(parts, ids, strict=True) if siret] or [""]


def replace_buyer(siren: str, org_id: str, rows: Iterable[dict[str, Any]]) -> int:
    """Replaces the buyer's awards with those of ``rows``; returns the number
    of contracts. The caller resolves the suppliers afterwards."""
    session = model.Session
    session.query(Award).filter(Award.buyer_siren == siren).delete(
        synchronize_session=False
    )
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        count += 1
        batch.extend(awards(row, org_id, siren))
        if len(batch) >= 5000:
            session.bulk_insert_mappings(Award, batch)
            batch = []
    if batch:
        session.bulk_insert_mappings(Award, batch)
    session.commit()
    return count


def sync_buyer(siren: str, org: dict[str, Any]) -> int:
    """Copies the buyer's DataStore table into the awards table."""
    table_id = table_of(siren, org)
    count = replace_buyer(siren, org["id"], stored_rows(table_id) if table_id else [])
    suppliers.resolve(siren)
    return count


def rebuild() -> dict[str, int]:
    """Every buyer of the catalogue; returns SIREN -> contracts. Awards of
    buyers no longer in the catalogue are removed."""
    buyers = territory_buyers()
    session = model.Session
    session.query(Award).filter(Award.buyer_siren.notin_(list(buyers) or [""])).delete(
        synchronize_session=False
    )
    session.commit()
    counts = {}
    for siren, org in sorted(buyers.items()):
        table_id = table_of(siren, org)
        counts[siren] = replace_buyer(
            siren, org["id"], stored_rows(table_id) if table_id else []
        )
    suppliers.resolve()
    return counts
