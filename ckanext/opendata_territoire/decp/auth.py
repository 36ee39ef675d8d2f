"""Who may read a procurement dataset's contracts in OCDS (registered
with @registry.auth): whoever may see the dataset."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

from ckanext.opendata_territoire import registry


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_contracts_ocds(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone for a public dataset; for a private one, those CKAN lets see
    it (its organization's members, the EPCI's admins, sysadmins)."""
    allowed = authz.is_authorized_boolean(
        "package_show",
        {**context, "model": context.get("model") or model},
        {"id": data_dict.get("id")},
    )
    return {"success": allowed}
