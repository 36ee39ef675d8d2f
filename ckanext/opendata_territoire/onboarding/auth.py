"""Who may see and act on a commune's onboarding (registered with @registry.auth):
its members read, its editors and admins act, the admins of its EPCI read
every member's, sysadmins do everything; anonymous users nothing."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.territory import roles


def _decide(allowed: bool) -> dict[str, Any]:
    if allowed:
        return {"success": True}
    return {
        "success": False,
        "msg": tk._(
            "Only the members of this organization and the administrators "
            "of its intercommunality can see its onboarding."
        ),
    }


# Reading the onboarding: members, the EPCI's admins, sysadmins.
@registry.auth(
    "territoire_checklist_show", "territoire_checklist_history", "territoire_guide_show"
)
def _follow(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    org = roles.organization(str(data_dict.get("id") or ""))
    return _decide(org is not None and roles.can_follow(roles.user_name(context), org))


# Acting for the commune: its editors and admins, sysadmins.
@registry.auth("territoire_checklist_answer", "territoire_starter_dataset_create")
def _act(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    org = roles.organization(str(data_dict.get("id") or ""))
    return _decide(org is not None and roles.can_act(roles.user_name(context), org))


def _territory_admin(context: dict[str, Any], data_dict: dict[str, Any]) -> bool:
    org = roles.organization(str(data_dict.get("id") or ""))
    return org is not None and roles.territory_admin(roles.user_name(context), org)


@registry.auth
def territoire_dashboard_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The dashboard of an EPCI: its admins and sysadmins."""
    if _territory_admin(context, data_dict):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._(
            "Only the administrators of the intercommunality can see "
            "its territory dashboard."
        ),
    }


@registry.auth("territoire_guide_note_update", "territoire_guide_note_history")
def _curate(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The notes of the guide shared by an EPCI's members: its admins and
    sysadmins."""
    if _territory_admin(context, data_dict):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._(
            "Only the administrators of the intercommunality can edit the "
            "notes of its members' guide."
        ),
    }


@registry.auth
def territoire_agents_update(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """A commune's number of agents: its admins, the admins of its EPCI
    (from the territory dashboard), sysadmins."""
    org = roles.organization(str(data_dict.get("id") or ""))
    user = roles.user_name(context)
    allowed = (
        org is not None
        and user is not None
        and (
            authz.is_sysadmin(user)
            or authz.has_user_permission_for_group_or_org(org.id, user, "admin")
            or roles.is_epci_admin_of(user, org)
        )
    )
    if allowed:
        return {"success": True}
    return {
        "success": False,
        "msg": tk._(
            "Only the administrators of this organization and of its "
            "intercommunality can set its number of agents."
        ),
    }
