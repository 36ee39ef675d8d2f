"""Who may read the observatory's figures (registered with @registry.auth):
anyone, as the procurement data is public."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry


@registry.auth("territoire_procurement_stats", "territoire_procurement_gaps")
@tk.auth_allow_anonymous_access
def territoire_procurement_stats(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the figures come from public data."""
    return {"success": True}
