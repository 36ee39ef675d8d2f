"""Who stands where in the territory: a commune's members act in their
commune; the EPCI's admins also see every member commune's onboarding."""

from __future__ import annotations

from typing import Any

from ckan import authz, model


def organization(id_or_name: str) -> model.Group | None:
    org = model.Group.get(id_or_name)
    return org if org is not None and org.is_organization else None


def organization_by_siren(siren: str) -> model.Group | None:
    """The active organization whose ``siren`` field is ``siren``."""
    query = (
        model.Session.query(model.Group)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
        .filter(model.GroupExtra.key == "siren")
        .filter(model.GroupExtra.value == siren)
    )
    return query.first()


def _extra(org: model.Group, key: str) -> str | None:
    value = org.extras.get(key)
    return str(value) if value else None


def epci_of(org: model.Group) -> model.Group | None:
    """The organization of the EPCI a member commune belongs to (by SIREN)."""
    siren = _extra(org, "epci_siren")
    return organization_by_siren(siren) if siren else None


def is_epci_admin_of(user_name: str | None, org: model.Group) -> bool:
    """Whether the user administers the EPCI organization ``org`` belongs to."""
    if not user_name:
        return False
    epci = epci_of(org)
    return epci is not None and authz.has_user_permission_for_group_or_org(
        epci.id, user_name, "admin"
    )


def can_follow(user_name: str | None, org: model.Group) -> bool:
    """May read the onboarding of ``org``: its members (any role), the admins
    of its EPCI, sysadmins."""
    if not user_name:
        return False
    if authz.is_sysadmin(user_name):
        return True
    return authz.has_user_permission_for_group_or_org(
        org.id, user_name, "read"
    ) or is_epci_admin_of(user_name, org)


def can_act(user_name: str | None, org: model.Group) -> bool:
    """May act for ``org`` (answer its checklist, create its datasets): its
    editors and admins, sysadmins."""
    if not user_name:
        return False
    return authz.is_sysadmin(user_name) or authz.has_user_permission_for_group_or_org(
        org.id, user_name, "create_dataset"
    )


def territory_admin(user_name: str | None, epci: model.Group) -> bool:
    """May read the territory dashboard of ``epci``: its admins, sysadmins."""
    if not user_name:
        return False
    return authz.is_sysadmin(user_name) or authz.has_user_permission_for_group_or_org(
        epci.id, user_name, "admin"
    )


def user_name(context: dict[str, Any]) -> str | None:
    return context.get("user") or None
