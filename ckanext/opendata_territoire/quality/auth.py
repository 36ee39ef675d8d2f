"""Who may see the quality of a dataset (gathered by logic/auth.py): whoever
may see the dataset."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

__all__ = ["territoire_quality_show"]


def may(action: str, context: dict[str, Any], object_id: Any) -> bool:
    """Whether CKAN's auth function ``action`` allows the context's user on
    the dataset or resource ``object_id``."""
    return authz.is_authorized_boolean(
        action, {**context, "model": context.get("model") or model}, {"id": object_id}
    )


@tk.auth_allow_anonymous_access
def territoire_quality_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    return {"success": may("package_show", context, data_dict.get("id"))}
