"""Who may read the peers' comparison (registered with @registry.auth): anyone,
as it comes from public data."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_procurement_peers(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the figures come from the national open data."""
    return {"success": True}
