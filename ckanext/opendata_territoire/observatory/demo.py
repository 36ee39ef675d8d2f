"""The demo's register of local firms.

The demo's DECP sample (decp/samples/) names made-up titulaire SIRETs that
the SIRENE search service does not know; its firms file gives each one a
commune and a size category. The register the demo publishes in the
catalogue (samples/registre-entreprises-ccmv-demo.csv, made from that file
by :func:`register_csv`, checked byte for byte by a test) therefore stands
in for the service: `ckan territoire observatory seed-demo` publishes it as
the EPCI's register dataset and resolves the suppliers from it alone.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.datastructures import FileStorage

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.decp import publish
from ckanext.opendata_territoire.observatory import contracts, suppliers
from ckanext.opendata_territoire.territory import roles

PACKAGE = Path(__file__).resolve().parent.parent
FIRMS = PACKAGE / "decp" / "samples" / "decp-ccmv-demo-firms.json"
REGISTER = PACKAGE / "observatory" / "samples" / "registre-entreprises-ccmv-demo.csv"


class DemoError(Exception):
    pass


def register_csv(firms: dict[str, dict[str, Any]]) -> str:
    """The register's CSV (semicolon separated, by SIRET)."""
    out = io.StringIO()
    csv_export.write(
        out,
        suppliers.REGISTER_COLUMNS,
        (
            [
                siret,
                firms[siret].get("nom", ""),
                firms[siret].get("commune", ""),
                firms[siret].get("categorie", ""),
            ]
            for siret in sorted(firms)
        ),
        delimiter=";",
        lineterminator="\n",
    )
    return out.getvalue()


def write_register() -> None:
    firms = json.loads(FIRMS.read_text(encoding="utf-8"))
    REGISTER.write_text(register_csv(firms), encoding="utf-8")


def _epci(epci_siren: str) -> model.Group:
    epci = roles.organization_by_siren(epci_siren)
    if epci is None:
        raise DemoError(
            tk._(
                "No EPCI {siren} in the catalogue: run ckan territoire init "
                "--epci {siren} first."
            ).format(siren=epci_siren)
        )
    return epci


def seed(epci_siren: str) -> dict[str, Any]:
    """Publishes the register dataset (once), then fills the observatory:
    the awards from the DataStore, the suppliers from the register only."""
    name = str(tk.config.get("ckanext.territoire.suppliers_register") or "")
    if not name:
        raise DemoError(tk._("ckanext.territoire.suppliers_register is empty."))
    created = False
    if model.Package.get(name) is None:
        epci = _epci(epci_siren)
        user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context = {"user": user, "ignore_auth": True}
        dataset = tk.get_action("package_create")(
            dict(context),
            {
                "name": name,
                "title": tk._("Register of local firms"),
                "owner_org": epci.id,
                "notes": tk._(
                    "The firms the EPCI knows, with the commune of their "
                    "establishment and their size: the procurement observatory "
                    "reads it before the SIRENE search service. Demonstration: "
                    "the firms are made up."
                ),
                "license_id": "lov2",
                "personal_data": "none",
            },
        )
        tk.get_action("resource_create")(
            dict(context),
            {
                "package_id": dataset["id"],
                "name": REGISTER.name,
                "format": "CSV",
                "upload": FileStorage(
                    io.BytesIO(REGISTER.read_bytes()), REGISTER.name, "text/csv"
                ),
            },
        )
        created = True
    counts = contracts.rebuild()
    result = suppliers.refresh(ask_service=False)
    publish.name_published()
    return {
        "dataset": name,
        "created": created,
        "firms": result.register or 0,
        "contracts": sum(counts.values()),
    }
