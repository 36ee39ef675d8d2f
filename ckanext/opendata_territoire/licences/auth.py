"""Auth function of the licence chooser (registered with @registry.auth)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_licence_recommend(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Advice on licences is public: anyone may ask, signed in or not."""
    return {"success": True}
