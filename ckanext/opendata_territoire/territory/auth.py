"""Auth functions of the territory actions (gathered by logic/auth.py)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["territoire_territory_init", "territoire_territory_show"]


@tk.auth_allow_anonymous_access
def territoire_territory_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Which communes make up the territory is public information."""
    return {"success": True}


def territoire_territory_init(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Creating organizations for a whole territory is a sysadmin's job."""
    return {
        "success": False,
        "msg": tk._("Only a sysadmin can initialise the territory."),
    }
