"""Auth functions of the territory actions (registered with @registry.auth)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.territory.organizations import organizations_by_siren


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_territory_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Which communes make up the territory is public information."""
    return {"success": True}


@registry.auth
def territoire_territory_init(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Sysadmins (CKAN lets them through before this), and the admins of the
    EPCI's organization for their own EPCI: they create and update the
    organizations of their member communes from the reference data."""
    siren = str(
        data_dict.get("epci_siren") or tk.config.get("ckanext.territoire.epci_siren")
    )
    epci = organizations_by_siren({siren}).get(siren)
    user = roles.user_name(context)
    if (
        epci is not None
        and roles.is_epci(epci)
        and user
        and authz.has_user_permission_for_group_or_org(epci["id"], user, "admin")
    ):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._(
            "Only the administrators of the EPCI and the portal's administrators "
            "can initialise the territory."
        ),
    }


# CKAN lets sysadmins through before any auth function: refusing here refuses
# everyone else, whatever ckan.auth.user_create_organizations and
# user_create_groups say. The organizations are the territory's public
# bodies: created from the reference data (ckan territoire init, the EPCI's
# territory page, both as a sysadmin) or by a sysadmin, never by whoever
# signs up. Groups (CKAN's themes) likewise.


@registry.auth
@tk.chained_auth_function
def organization_create(
    next_auth: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    return {
        "success": False,
        "msg": tk._(
            "Only the portal's administrators create organizations: the "
            "territory's organizations come from the official reference data."
        ),
    }


@registry.auth
@tk.chained_auth_function
def group_create(
    next_auth: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    return {
        "success": False,
        "msg": tk._("Only the portal's administrators create groups."),
    }
