"""The demo's délibérations: a commune's file with the mistakes a secretary
makes (a date written 20/01/2025, a SIRET with spaces and too short, a
missing object, a vote written in words, a subject code 7-1), published
against the SCDL schema and validated at once, so that the French report
saying how to fix each error can be seen on a portal without internet (the
schema comes from the shipped snapshot then). For the demo only."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.datastructures import FileStorage

from ckanext.opendata_territoire.quality import jobs

SAMPLE = Path(__file__).resolve().parent / "samples" / "deliberations-demo.csv"
COMMUNE_SIREN = "213805484"  # Villard-de-Lans
NAME = "deliberations-villard-de-lans"


class DemoError(Exception):
    """The demo's commune is not in the catalogue."""


def _commune() -> dict[str, Any]:
    from ckanext.opendata_territoire.territory.organizations import (
        organizations_by_siren,
    )

    found = organizations_by_siren({COMMUNE_SIREN}).get(COMMUNE_SIREN)
    if found is None:
        raise DemoError(
            tk._(
                "No organization has the SIREN {siren}: run ckan territoire init."
            ).format(siren=COMMUNE_SIREN)
        )
    return found


def seed() -> dict[str, Any]:
    """Publishes the dataset (once) and validates its file; returns the
    dataset's name, the validation's status and its number of errors."""
    commune = _commune()
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    dataset = model.Package.get(NAME)
    if dataset is None or dataset.state != "active":
        created = tk.get_action("package_create")(
            dict(context),
            {
                "name": NAME,
                "title": tk._("Council deliberations — {commune}").format(
                    commune=commune["title"]
                ),
                "owner_org": commune["id"],
                "notes": tk._(
                    "Demonstration dataset: a file of deliberations with the "
                    "mistakes the validation against the national schema finds, "
                    "and says how to fix."
                ),
                "license_id": "lov2",
                "personal_data": "none",
                "schema_name": "scdl/deliberations",
            },
        )
        tk.get_action("resource_create")(
            dict(context),
            {
                "package_id": created["id"],
                "name": "deliberations-2025.csv",
                "format": "CSV",
                "upload": FileStorage(
                    io.BytesIO(SAMPLE.read_bytes()),
                    "deliberations-2025.csv",
                    content_type="text/csv",
                ),
            },
        )
        dataset = model.Package.get(NAME)
    resource = next(r for r in dataset.resources if r.state == "active")
    status = jobs.validate_resource(resource.id)
    shown = tk.get_action("territoire_validation_show")(
        dict(context), {"id": resource.id}
    )
    return {
        "dataset": NAME,
        "status": status,
        "errors": len((shown.get("report") or {}).get("errors") or []),
    }
