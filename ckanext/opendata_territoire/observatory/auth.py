"""Who may read the observatory's figures (gathered by logic/auth.py):
anyone, as the procurement data is public."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["territoire_procurement_gaps", "territoire_procurement_stats"]


@tk.auth_allow_anonymous_access
def territoire_procurement_stats(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the figures come from public data."""
    return {"success": True}


territoire_procurement_gaps = territoire_procurement_stats
