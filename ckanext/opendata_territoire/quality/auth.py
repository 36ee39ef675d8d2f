"""Who may see the quality of a dataset (gathered by logic/auth.py): whoever
may see the dataset sees its score; only its editors see and confirm what
the personal-data guard found in its files."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

__all__ = [
    "territoire_personal_data_confirm",
    "territoire_personal_data_history",
    "territoire_personal_data_show",
    "territoire_quality_show",
    "territoire_resource_validate",
    "territoire_validation_show",
]


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


def _edit_resource(context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    """The editors of the file's dataset (CKAN's resource_update)."""
    return {"success": may("resource_update", context, data_dict.get("id"))}


# What the guard found names columns and rows of a file not yet public: for
# those who may change the file.
territoire_personal_data_show = _edit_resource
territoire_personal_data_confirm = _edit_resource


def territoire_personal_data_history(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    return {"success": may("package_update", context, data_dict.get("id"))}


@tk.auth_allow_anonymous_access
def territoire_validation_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Whoever may see the file."""
    return {"success": may("resource_show", context, data_dict.get("id"))}


territoire_resource_validate = _edit_resource
