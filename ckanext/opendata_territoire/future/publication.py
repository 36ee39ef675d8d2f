"""The forecast published in the catalogue.

Per organization with planned purchases, one dataset "Achats prévus —
<organization>" owned by it, told apart by its field ``forecast_buyer``
(the organization's id), with one CSV resource (UTF-8 with a byte-order
mark, ";" between cells: French spreadsheets open it as it is) whose rows
are also in the DataStore, and whose ``schema`` is the Table Schema the
project ships (future/forecast.schema.json, served at
/achats-prevus/schema.json).

Written again after every change, from the table (future/model.py), the
source of truth. Nothing published is blanked by a failure: the CSV is made
whole aside, then uploaded in place of the previous one in one call; the
DataStore's rows are upserted, then the rows of the entries removed since
are deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.munge import munge_title_to_name
from werkzeug.datastructures import FileStorage

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.future import renewals
from ckanext.opendata_territoire.future.model import ForecastEntry
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.language import portal_text
from ckanext.opendata_territoire.observatory import cpv

log = logging.getLogger(__name__)

DATASET_FIELD = "forecast_buyer"
SCHEMA_FILE = Path(__file__).with_name("forecast.schema.json")
TAGS = ("achats-prevus", "commande-publique", "marches-publics")
THEMES = ["ECON", "GOVE"]


def table_schema() -> dict[str, Any]:
    """The Table Schema of the published CSV."""
    return dict(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def columns() -> list[str]:
    return [f["name"] for f in table_schema()["fields"]]


DATASTORE_TYPES = {"string": "text", "integer": "int", "date": "date"}


def _fields() -> list[dict[str, Any]]:
    return [
        {
            "id": f["name"],
            "type": DATASTORE_TYPES[f["type"]],
            "info": {"label": f["title"], "notes": f["description"]},
        }
        for f in table_schema()["fields"]
    ]


SCHEMA_PATH = "/achats-prevus/schema.json"  # future/views.py forecast_schema


def schema_url() -> str:
    """The Table Schema's address (from ckan.site_url: a publication may run
    outside any web request, from the command line)."""
    return str(tk.config.get("ckan.site_url") or "").rstrip("/") + SCHEMA_PATH


def file_name(org: dict[str, Any]) -> str:
    return f"achats-prevus-{org['name']}.csv"


def entries_of(org_id: str) -> list[ForecastEntry]:
    return (
        model.Session.query(ForecastEntry)
        .filter(ForecastEntry.organization_id == org_id)
        .order_by(
            ForecastEntry.year,
            ForecastEntry.quarter,
            ForecastEntry.cpv_division,
            ForecastEntry.object,
            ForecastEntry.id,
        )
        .all()
    )


def row_of(entry: ForecastEntry, org: dict[str, Any]) -> dict[str, Any]:
    """An entry as a row of the CSV and of the DataStore (the schema's
    columns)."""
    division, band = str(entry.cpv_division), str(entry.amount_band)
    return {
        "id": entry.id,
        "acheteur_nom": org["title"],
        "acheteur_siren": org.get("siren") or "",
        "objet": entry.object,
        "cpv_division": division,
        "cpv_libelle": cpv.label(division),
        "tranche_montant": band,
        "tranche_montant_libelle": portal_text(renewals.BAND_LABELS[band]),
        "annee": entry.year,
        "trimestre": entry.quarter,
        "procedure": entry.procedure,
        "contact": entry.contact_name,
        "contact_courriel": entry.contact_email,
        "contact_telephone": entry.contact_phone,
        "notes": entry.notes,
        "date_mise_a_jour": entry.modified.date().isoformat(),
    }


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The CSV for French spreadsheets (csv_export's conventions: a
    byte-order mark, ";", texts that would start a formula made inert)."""
    out = io.StringIO()
    out.write("\ufeff")
    names = columns()
    csv_export.write(out, names, ([row[n] for n in names] for row in rows), ";")
    return out.getvalue().encode("utf-8")


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _organization(org_id: str) -> dict[str, Any]:
    return dict(
        tk.get_action("organization_show")(
            {"ignore_auth": True},
            {"id": org_id, "include_datasets": False, "include_users": False},
        )
    )


def find_dataset(org_id: str) -> dict[str, Any] | None:
    """The organization's forecast dataset (the published one, else the
    draft an interrupted publication left)."""
    row = (
        model.Session.query(model.Package.id)
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .filter(model.Package.state.in_(["active", "draft"]))
        .filter(model.Package.owner_org == org_id)
        .filter(model.PackageExtra.key == DATASET_FIELD)
        .filter(model.PackageExtra.value == org_id)
        .order_by(
            (model.Package.state == "active").desc(),
            model.Package.metadata_created.asc(),
        )
        .first()
    )
    if row is None:
        return None
    return dict(tk.get_action("package_show")({"ignore_auth": True}, {"id": row[0]}))


def dataset_title(org: dict[str, Any]) -> str:
    return portal_text(N_("Planned purchases — {buyer}")).format(buyer=org["title"])


def _free_name(org: dict[str, Any]) -> str:
    base = munge_title_to_name(f"achats-prevus-{org['name']}")[:90]
    for candidate in [base] + [f"{base}-{n}" for n in range(2, 100)]:
        if model.Package.get(candidate) is None:
            return candidate
    raise RuntimeError(f"No free dataset name for {org['name']}")


def new_dataset(org: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": _free_name(org),
        "title": dataset_title(org),
        "notes": portal_text(
            N_(
                "The purchases {buyer} plans: object, domain (CPV division), "
                "estimated amount band, planned quarter, expected procedure and "
                "whom to ask. A forecast, not a commitment: published so that the "
                "territory's firms can get ready. One row per planned purchase."
            )
        ).format(buyer=org["title"]),
        "owner_org": org["id"],
        "private": False,
        "license_id": tk.config.get("ckanext.territoire.decp.license_id"),
        "theme": THEMES,
        "frequency": "irregular",
        "legal_basis": "voluntary",
        "tags": [{"name": tag} for tag in TAGS],
        "personal_data": "none",
        "provenance": portal_text(
            N_("Entered by {buyer} in the territory's portal.")
        ).format(buyer=org["title"]),
        "known_limits": portal_text(
            N_(
                "Planned purchases may be moved, changed or dropped; the amounts "
                "are bands, not estimates."
            )
        ),
        DATASET_FIELD: org["id"],
    }
    if org.get("contact_email"):
        data["contact_email"] = org["contact_email"]
    if org.get("insee_code"):
        data["spatial_insee"] = [org["insee_code"]]
        data["spatial_granularity"] = "fr:commune"
    elif org.get("collectivite_type") == "epci" and org.get("siren"):
        data["spatial_insee"] = [org["siren"]]
        data["spatial_granularity"] = "fr:epci"
    return data


def _csv_resource(dataset: dict[str, Any], name: str) -> dict[str, Any] | None:
    for resource in dataset.get("resources", []):
        if str(resource.get("url") or "").endswith("/" + name):
            return dict(resource)
    return None


def publish(org_id: str) -> dict[str, Any] | None:
    """Writes the organization's forecast dataset from its entries; returns
    the dataset, or None when the organization has no entry and never had
    a forecast dataset."""
    org = _organization(org_id)
    rows = [row_of(entry, org) for entry in entries_of(org["id"])]
    context = _context()
    dataset = find_dataset(org["id"])
    if dataset is None:
        if not rows:
            return None
        data = new_dataset(org)
        # A draft until its file and table are written: listed nowhere if
        # the publication stops halfway; the next one completes it.
        data["state"] = "draft"
        dataset = tk.get_action("package_create")(dict(context), data)
    name = file_name(org)
    content = csv_bytes(rows)
    digest = hashlib.sha256(content).hexdigest()
    resource: dict[str, Any] | None = _csv_resource(dataset, name)
    upload = {
        "upload": FileStorage(
            stream=io.BytesIO(content), filename=name, content_type="text/csv"
        ),
        "name": portal_text(N_("Planned purchases (CSV)")),
        "description": portal_text(
            N_(
                "One row per planned purchase, following the Table Schema given "
                "in the schema field. Also in the DataStore (datastore_search)."
            )
        ),
        "format": "CSV",
        "hash": digest,
        "size": len(content),
        "schema": schema_url(),
        "last_modified": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(),
    }
    if resource is None:
        resource = tk.get_action("resource_create")(
            dict(context), {"package_id": dataset["id"], **upload}
        )
    elif resource.get("hash") != digest or resource.get("schema") != schema_url():
        resource = tk.get_action("resource_patch")(
            dict(context), {"id": resource["id"], **upload}
        )
    assert resource is not None
    _write_table(context, resource["id"], rows)
    changes: dict[str, Any] = {}
    if dataset.get("state") == "draft":
        changes["state"] = "active"
    updated = max((r["date_mise_a_jour"] for r in rows), default=None)
    if updated and dataset.get("data_updated") != updated:
        changes["data_updated"] = updated
    if changes:
        tk.get_action("package_patch")(dict(context), {"id": dataset["id"], **changes})
    return dict(tk.get_action("package_show")(dict(context), {"id": dataset["id"]}))


def _write_table(
    context: dict[str, Any], resource_id: str, rows: list[dict[str, Any]]
) -> None:
    """The rows upserted, then the rows of removed entries deleted."""
    try:
        stored = tk.get_action("datastore_search")(
            dict(context),
            {"resource_id": resource_id, "fields": ["id"], "limit": 32000},
        )["records"]
    except tk.ObjectNotFound:
        tk.get_action("datastore_create")(
            dict(context),
            {
                "resource_id": resource_id,
                "fields": _fields(),
                "primary_key": ["id"],
                "records": rows,
                "force": True,
            },
        )
        return
    if rows:
        tk.get_action("datastore_upsert")(
            dict(context),
            {
                "resource_id": resource_id,
                "records": rows,
                "method": "upsert",
                "force": True,
            },
        )
    kept = {row["id"] for row in rows}
    for record in stored:
        if record["id"] not in kept:
            tk.get_action("datastore_delete")(
                dict(context),
                {
                    "resource_id": resource_id,
                    "filters": {"id": record["id"]},
                    "force": True,
                },
            )


def publish_safely(org_id: str) -> bool:
    """``publish``, its failure logged: the entries are saved whatever
    happens to their publication (the previous one stays)."""
    try:
        publish(org_id)
    except Exception:
        model.Session.rollback()
        log.exception("forecast: the planned purchases of %s are not published", org_id)
        return False
    return True
