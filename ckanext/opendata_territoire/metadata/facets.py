"""Search facets: which ones, their French titles, and the labels of their
values (the Solr index holds the identifiers of the controlled lists)."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.metadata import choices

# Solr field of the themes: a multi-valued string field (CKAN's schema.xml
# has `vocab_*` for that; `theme` itself is stored as a JSON text).
THEME_FIELD = "vocab_territoire_theme"

# facet field -> choice list whose labels name its values
LABELLED_FACETS = {
    THEME_FIELD: "themes",
    "frequency": "frequencies",
    "schema_name": "national_schemas",
}


def facet_titles() -> dict[str, str]:
    """Facets in display order, with their titles (translated at render)."""
    return {
        "organization": tk._("Local authorities"),
        THEME_FIELD: tk._("Themes"),
        "license_id": tk._("Licences"),
        "schema_name": tk._("National schemas"),
        "frequency": tk._("Update frequencies"),
        "res_format": tk._("Formats"),
        "tags": tk._("Keywords"),
    }


def index_themes(dataset: dict[str, Any]) -> None:
    """Put the themes in the multi-valued field the theme facet reads."""
    raw = dataset.get("theme")
    if not raw:
        return
    try:
        themes = json.loads(raw) if isinstance(raw, str) else list(raw)
    except ValueError:
        return
    if themes:
        dataset[THEME_FIELD] = [str(theme) for theme in themes]


def label_facet_items(search_facets: dict[str, Any]) -> None:
    """Show the labels of the controlled lists instead of their identifiers."""
    for field, list_name in LABELLED_FACETS.items():
        for item in search_facets.get(field, {}).get("items", []):
            label = choices.label(list_name, item["name"])
            if label:
                item["display_name"] = tk._(label)
