"""Who may convert a file to the national format (registered
with @registry.auth): those who may change the dataset (its organization's
editors and admins, sysadmins)."""

from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.quality.auth import may
from ckanext.opendata_territoire.scdl_convert.model import Conversion


@registry.auth
def territoire_scdl_convert(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """``id``: the dataset."""
    return {"success": may("package_update", context, data_dict.get("id"))}


@registry.auth("territoire_scdl_conversion_show", "territoire_scdl_conversion_publish")
def _of_conversion(context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    conversion = model.Session.get(Conversion, str(data_dict.get("id") or ""))
    if conversion is None:
        return {"success": False}
    return {"success": may("package_update", context, conversion.package_id)}
