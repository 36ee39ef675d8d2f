"""Validators of the organization schema that keep the territory's structure
in the platform's hands (registered with @registry.validator).

An organization's admins edit its description, contacts and numbers; what
makes it the EPCI, or a commune of the EPCI (``roles.PLATFORM_FIELDS``:
type, SIREN, INSEE code, the EPCI's SIREN), is written by sysadmins and by
``ckan territoire init`` from the reference data. Otherwise any admin could
declare their organization an EPCI and read every member's drafts and
figures, or run harvests that write into them.
"""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.lib.navl.dictization_functions import StopOnError, missing

from ckanext.opendata_territoire import registry


def may_place(context: dict[str, Any]) -> bool:
    """Whether the caller may write the platform's fields: a sysadmin, or code
    of the portal that skipped the auth check (``territoire init`` writes as
    the site user, a sysadmin)."""
    if context.get("ignore_auth"):
        return True
    user = context.get("user")
    return bool(user) and authz.is_sysadmin(user)


def _comparable(value: Any) -> str:
    return re.sub(r"[\s.]", "", "" if value is None else str(value)).upper()


@registry.validator
def territoire_platform_field(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> Any:
    """Others than sysadmins keep the stored value: a value left out (the form
    shows it read-only) stays as it was, a different one is refused with the
    field named."""
    if may_place(context):
        return
    group = context.get("group")
    stored = group.extras.get(key[-1]) if isinstance(group, model.Group) else None
    value = data.get(key)
    if value is missing or value in (None, ""):
        if stored:
            data[key] = stored
        return
    if _comparable(value) == _comparable(stored):
        return
    errors[key].append(
        tk._(
            "Only the portal's administrators can set or change this field: it "
            "decides the organization's place in the territory (ask them, or run "
            "ckan territoire init)."
        )
    )
    raise StopOnError


@registry.validator
def territoire_unique_siren(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> Any:
    """A SIREN belongs to one organization (deleted ones included, until they
    are purged): the database refuses a second one, this says so by name."""
    value = data.get(key)
    if value is missing or value in (None, ""):
        return
    group = context.get("group")
    own_id = group.id if isinstance(group, model.Group) else data.get(("id",))
    holder = (
        model.Session.query(model.Group)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.GroupExtra.key == "siren")
        .filter(model.GroupExtra.value == str(value))
        .filter(model.Group.id != (own_id or ""))
        .order_by(model.Group.created.asc())
        .first()
    )
    if holder is None:
        return
    message = (
        tk._(
            'SIREN {siren} already belongs to the organization "{name}": one '
            "organization per SIREN."
        )
        if holder.state == "active"
        else tk._(
            'SIREN {siren} belongs to the deleted organization "{name}": restore '
            "it, or purge it before giving its SIREN to another one."
        )
    )
    errors[key].append(message.format(siren=value, name=holder.name))
    raise StopOnError
