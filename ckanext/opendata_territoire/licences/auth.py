"""Auth function of the licence chooser (gathered by logic/auth.py)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["territoire_licence_recommend"]


@tk.auth_allow_anonymous_access
def territoire_licence_recommend(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Advice on licences is public: anyone may ask, signed in or not."""
    return {"success": True}
