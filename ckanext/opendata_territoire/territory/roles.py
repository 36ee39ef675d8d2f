"""Who stands where in the territory: a commune's members act in their
commune; the EPCI's admins also see every member commune's onboarding.

What makes an organization the EPCI, and a commune one of its members, is
decided by the platform: the fields of :data:`PLATFORM_FIELDS` are written by
sysadmins and by ``ckan territoire init`` (from the reference data) only,
never by the organization's own admins (``territory/validators.py``), and
organizations are created by sysadmins only (``territory/auth.py``). A SIREN
belongs to one organization at most (a unique index on ``group_extra``), so
every lookup by SIREN gives one answer."""

from __future__ import annotations

from typing import Any

from ckan import authz, model


def organization(id_or_name: str) -> model.Group | None:
    org = model.Group.get(id_or_name)
    return org if org is not None and org.is_organization else None


# The fields that place an organization in the territory: set by the
# platform (sysadmins, the reference data), read-only for its own admins.
PLATFORM_FIELDS = ("collectivite_type", "siren", "insee_code", "epci_siren")
EPCI = "epci"


def organization_by_siren(siren: str) -> model.Group | None:
    """The active organization whose ``siren`` field is ``siren`` (unique:
    the database refuses a second one; the oldest first all the same, should
    a database predate the constraint)."""
    query = (
        model.Session.query(model.Group)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
        .filter(model.GroupExtra.key == "siren")
        .filter(model.GroupExtra.value == siren)
        .order_by(model.Group.created.asc(), model.Group.id)
    )
    return query.first()


def is_epci(org: model.Group | dict[str, Any] | None) -> bool:
    """Whether ``org`` (a Group or an organization dict) is an EPCI of the
    catalogue: an active organization typed ``epci`` with a SIREN. Both fields
    are the platform's (:data:`PLATFORM_FIELDS`), so holding this type proves
    that a sysadmin or the reference data made it so."""
    if org is None:
        return False
    if isinstance(org, dict):
        fields: Any = org
        active = org.get("state", "active") == "active"
    else:
        fields = org.extras
        # IPackageController and IOrganizationController share ``edit``:
        # a dataset may come here.
        active = getattr(org, "is_organization", False) and org.state == "active"
    return bool(
        active and fields.get("collectivite_type") == EPCI and fields.get("siren")
    )


def _extra(org: model.Group, key: str) -> str | None:
    value = org.extras.get(key)
    return str(value) if value else None


def epci_of(org: model.Group) -> model.Group | None:
    """The organization of the EPCI a member commune belongs to (by SIREN)."""
    siren = _extra(org, "epci_siren")
    epci = organization_by_siren(siren) if siren else None
    return epci if is_epci(epci) else None


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
    """May act for the EPCI ``epci`` (its dashboard, its members' usage,
    its harvest sources): its admins, sysadmins; nobody when ``epci`` is not
    an EPCI."""
    if not user_name or not is_epci(epci):
        return False
    return authz.is_sysadmin(user_name) or authz.has_user_permission_for_group_or_org(
        epci.id, user_name, "admin"
    )


def user_name(context: dict[str, Any]) -> str | None:
    return context.get("user") or None
