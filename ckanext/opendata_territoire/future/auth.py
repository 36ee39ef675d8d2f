"""Who may read the contracts to come and the forecast (registered
with @registry.auth): anyone, as the procurement data is public. Who edits an
organization's forecast: its admins and sysadmins (future/entries.py
``may_edit``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.future import entries


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_future_contracts(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the renewals come from public data."""
    return {"success": True}


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_forecast_list(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the forecast is published."""
    return {"success": True}


def _refused() -> dict[str, Any]:
    return {
        "success": False,
        "msg": tk._("Only the admins of the organization edit its planned purchases."),
    }


def _may_edit_organization(context: dict[str, Any], reference: Any) -> dict[str, Any]:
    if not reference:
        raise tk.ValidationError({"organization": [tk._("Missing value")]})
    org = entries.organization(reference)
    if org is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    if entries.may_edit(context.get("user"), org):
        return {"success": True}
    return _refused()


def _may_edit_entry(context: dict[str, Any], entry_id: Any) -> dict[str, Any]:
    entry = entries.get(entry_id)
    if entry is None:
        raise tk.ObjectNotFound(tk._("Planned purchase not found"))
    return _may_edit_organization(context, entry.organization_id)


@registry.auth("territoire_forecast_create", "territoire_forecast_import")
def _of_organization(context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    """The organization's admins, sysadmins."""
    return _may_edit_organization(context, data_dict.get("organization"))


@registry.auth("territoire_forecast_update", "territoire_forecast_delete")
def _of_entry(context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    """The admins of the entry's organization, sysadmins."""
    return _may_edit_entry(context, data_dict.get("id"))
