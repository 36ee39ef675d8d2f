"""Who may read the contracts to come (gathered by logic/auth.py): anyone,
as the procurement data is public."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["territoire_future_contracts"]


@tk.auth_allow_anonymous_access
def territoire_future_contracts(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the renewals come from public data."""
    return {"success": True}
