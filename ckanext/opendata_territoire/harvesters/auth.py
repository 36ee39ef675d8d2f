"""Who may manage harvest sources and run them.

ckanext-harvest lets anyone who may create datasets in an organization create
harvest sources for it. A harvest of this portal writes into every member's
procurement datasets (as the site user), so an editor of one commune could
publish into another's. Here the sources are managed, cleared and run by the
admins of the EPCI's organization (for sources that organization owns) and
by sysadmins only; ckanext-harvest's own rules (and CKAN's) still apply
after ours. Only harvest sources are concerned: every other dataset goes
straight to the next auth function.

The harvester plugins register these chained auth functions (they need
ckanext-harvest's, which exist only when the ``harvest`` plugin is loaded).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.territory import roles

AuthResult = dict[str, Any]


def _is_epci(org: model.Group | None) -> bool:
    return roles.is_epci(org)


def _administers_an_epci(user: str) -> bool:
    groups = model.Session.query(model.Group).join(
        model.Member, model.Member.group_id == model.Group.id
    )
    for org in (
        groups.join(model.User, model.User.id == model.Member.table_id)
        .filter(model.User.name == user)
        .filter(model.Member.table_name == "user")
        .filter(model.Member.capacity == "admin")
        .filter(model.Member.state == "active")
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
    ):
        if _is_epci(org):
            return True
    return False


def may_manage(user: str | None, owner_org: str | None) -> bool:
    """Sysadmins; admins of the EPCI organization ``owner_org``; with no
    owner given (the empty form), the admins of any EPCI organization."""
    if not user:
        return False
    if authz.is_sysadmin(user):
        return True
    if not owner_org:
        return _administers_an_epci(user)
    org = roles.organization(owner_org)
    if org is None or not _is_epci(org):
        return False
    return authz.has_user_permission_for_group_or_org(org.id, user, "admin")


def _refused() -> AuthResult:
    return {
        "success": False,
        "msg": tk._(
            "Only the administrators of the EPCI and the portal's administrators "
            "may manage and run harvest sources."
        ),
    }


HARVEST_TYPE = "harvest"  # ckanext-harvest's dataset type of a source


def _source(data_dict: dict[str, Any]) -> model.Package | None:
    source_id = data_dict.get("source_id") or data_dict.get("id")
    package = model.Package.get(str(source_id)) if source_id else None
    return package if package is not None and package.type == HARVEST_TYPE else None


def _creating_a_source(data_dict: dict[str, Any]) -> bool:
    """A harvest source is being created: its type says so, or (CKAN's form
    asks without data) the page is the harvest blueprint's."""
    if data_dict.get("type") == HARVEST_TYPE:
        return True
    if data_dict:
        return False
    try:
        return bool(tk.request) and tk.request.blueprint == HARVEST_TYPE
    except RuntimeError:  # outside a request
        return False


def _check(next_auth: Any, context: dict[str, Any], data_dict: Any, owner: Any):
    if not may_manage(roles.user_name(context), owner):
        return _refused()
    return next_auth(context, data_dict)


# ckanext-harvest's actions on sources proxy to package_create, _update and
# _delete (which check those auth functions); its job actions have their own.


@registry.harvest_auth
@tk.chained_auth_function
def package_create(next_auth: Any, context: dict[str, Any], data_dict: Any) -> Any:
    data_dict = data_dict or {}
    if not _creating_a_source(data_dict):
        return next_auth(context, data_dict)
    return _check(next_auth, context, data_dict, data_dict.get("owner_org"))


@registry.harvest_auth(
    "package_update",
    "package_patch",
    "package_delete",
    "harvest_source_clear",
    "harvest_job_create",
    "harvest_send_job_to_gather_queue",
    # ckanext-harvest 1.6.3's action checks nothing: harvesters/actions.py
    # makes it ask this for API calls.
    "harvest_source_reindex",
)
@tk.chained_auth_function
def _on_source(next_auth: Any, context: dict[str, Any], data_dict: Any) -> Any:
    source = _source(data_dict or {})
    if source is None:
        return next_auth(context, data_dict)
    return _check(next_auth, context, data_dict, source.owner_org or "")


@registry.harvest_auth
@tk.chained_auth_function
def harvest_source_patch(
    next_auth: Any, context: dict[str, Any], data_dict: Any
) -> Any:
    """As ``harvest_source_update``. ckanext-harvest 1.6.3 registers its
    action of this name as the auth function (see harvest_log_list): never
    called."""
    return authz.is_authorized("harvest_source_update", context, data_dict)


@registry.harvest_auth
@tk.chained_auth_function
def harvest_log_list(next_auth: Any, context: dict[str, Any], data_dict: Any) -> Any:
    """The harvesters' own log (every source's, with internal details):
    sysadmins only, who pass before this. ckanext-harvest 1.6.3 defines no
    such auth function: a shared default argument makes it register its
    action ``harvest_log_list`` as one, which calls itself (a RecursionError,
    a server error, for any signed-in user). Never calling ``next_auth``."""
    return {
        "success": False,
        "msg": tk._("Only the portal's administrators can read the harvest log."),
    }
