"""The API guide for reusers (/guide-api): how to read this catalogue with
CKAN's action API, the DataStore, the DCAT catalogue and the CSV dumps, with
examples made from the catalogue as it is (a member commune, a theme in use,
a contracts table), each a link that works. Public data need no token."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

blueprint = Blueprint("territoire_api_guide", __name__)


def _action_url(name: str, **params: Any) -> str:
    return str(
        tk.url_for("api.action", ver=3, logic_function=name, qualified=True, **params)
    )


def _search(data: dict[str, Any]) -> dict[str, Any]:
    return dict(tk.get_action("package_search")({}, data))


def examples() -> dict[str, Any]:
    """The examples, from what the catalogue holds now; a part is None when
    the catalogue has nothing to show it with."""
    communes = (
        _search({"rows": 0, "facet.field": ["organization"], "facet.limit": 50})[
            "search_facets"
        ]
        .get("organization", {})
        .get("items", [])
    )
    commune = max(communes, key=lambda i: i["count"], default=None)
    themes = (
        _search(
            {"rows": 0, "facet.field": ["vocab_territoire_theme"], "facet.limit": 50}
        )["search_facets"]
        .get("vocab_territoire_theme", {})
        .get("items", [])
    )
    theme = max(themes, key=lambda i: i["count"], default=None)
    contracts = _search(
        {"fq": "decp_buyer_siren:[* TO *]", "rows": 1, "sort": "title_string asc"}
    )["results"]
    table = next(
        (
            r
            for d in contracts
            for r in d.get("resources", [])
            if r.get("datastore_active")
        ),
        None,
    )
    dataset = _search({"rows": 1, "sort": "metadata_modified desc"})["results"]
    found: dict[str, Any] = {
        "all": _action_url("package_search", rows=10),
        "commune": None,
        "theme": None,
        "table": None,
        "dataset": None,
        "catalog": {
            fmt: str(tk.url_for("dcat.read_catalog", _format=fmt, qualified=True))
            for fmt in ("ttl", "jsonld", "xml")
        },
    }
    if commune:
        found["commune"] = {
            "title": commune["display_name"],
            "url": _action_url(
                "package_search", fq=f"organization:{commune['name']}", rows=10
            ),
        }
    if theme:
        found["theme"] = {
            "title": theme["display_name"],
            "url": _action_url(
                "package_search", fq=f'vocab_territoire_theme:"{theme["name"]}"'
            ),
        }
    if table:
        # A procedure the table holds, for a filter that finds rows.
        first = tk.get_action("datastore_search")(
            {}, {"resource_id": table["id"], "limit": 1, "fields": ["procedure"]}
        )["records"]
        procedure = (first[0].get("procedure") if first else None) or (
            "Procédure adaptée"
        )
        filters = json.dumps({"procedure": procedure}, ensure_ascii=False)
        found["table"] = {
            "dataset": contracts[0]["title"],
            "id": table["id"],
            "procedure": procedure,
            "rows": _action_url("datastore_search", resource_id=table["id"], limit=5),
            "filtered": _action_url(
                "datastore_search",
                resource_id=table["id"],
                filters=filters,
                sort="montant desc",
                limit=5,
            ),
            "search": _action_url(
                "datastore_search", resource_id=table["id"], q="déneigement"
            ),
            "dump_csv": str(
                tk.url_for("datastore.dump", resource_id=table["id"], qualified=True)
            ),
            "dump_excel": str(
                tk.url_for(
                    "datastore.dump",
                    resource_id=table["id"],
                    bom="true",
                    qualified=True,
                )
            ),
            "dump_json": str(
                tk.url_for(
                    "datastore.dump",
                    resource_id=table["id"],
                    format="json",
                    qualified=True,
                )
            ),
        }
    if dataset:
        name = dataset[0]["name"]
        found["dataset"] = {
            "title": dataset[0]["title"],
            "show": _action_url("package_show", id=name),
            "ttl": str(
                tk.url_for("dcat.read_dataset", _id=name, _format="ttl", qualified=True)
            ),
        }
    return found


@blueprint.route("/guide-api")
def guide() -> str:
    return tk.render("api_guide/index.html", {"examples": examples()})
