"""Who may read the peers' comparison (gathered by logic/auth.py): anyone,
as it comes from public data."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["territoire_procurement_peers"]


@tk.auth_allow_anonymous_access
def territoire_procurement_peers(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the figures come from the national open data."""
    return {"success": True}
