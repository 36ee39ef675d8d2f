"""Who may see the quality of a dataset (registered with @registry.auth): whoever
may see the dataset sees its score; only its editors see and confirm what
the personal-data guard found in its files."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

from ckanext.opendata_territoire import registry


def may(action: str, context: dict[str, Any], object_id: Any) -> bool:
    """Whether CKAN's auth function ``action`` allows the context's user on
    the dataset or resource ``object_id``."""
    return authz.is_authorized_boolean(
        action, {**context, "model": context.get("model") or model}, {"id": object_id}
    )


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_quality_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    return {"success": may("package_show", context, data_dict.get("id"))}


# What the guard found names columns and rows of a file not yet public: for
# those who may change the file; and who may change it has it validated.
@registry.auth(
    "territoire_personal_data_show",
    "territoire_personal_data_confirm",
    "territoire_resource_validate",
)
def _edit_resource(context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    """The editors of the file's dataset (CKAN's resource_update)."""
    return {"success": may("resource_update", context, data_dict.get("id"))}


@registry.auth
def territoire_personal_data_history(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    return {"success": may("package_update", context, data_dict.get("id"))}


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_validation_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Whoever may see the file."""
    return {"success": may("resource_show", context, data_dict.get("id"))}
