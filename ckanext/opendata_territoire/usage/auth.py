"""Who may declare, see and moderate reuses, and write, read and answer the
questions on a dataset (registered with @registry.auth).

Anyone reads the published reuses (the actions filter what each one may
see); a signed-in user declares one; the editors and admins of a dataset's
organization moderate its links; the declarer and sysadmins delete it.
Whoever may read a dataset reads its questions, and writes one when signed
in; the editors and admins of its organization answer or hide them."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.usage import publisher, reuses
from ckanext.opendata_territoire.usage.model import Feedback, Reuse


def _refuse(message: str) -> dict[str, Any]:
    return {"success": False, "msg": message}


@registry.auth
def territoire_reuse_create(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Any signed-in user. (CKAN's own refusal of anonymous users does not
    catch the action API's calls: they carry an anonymous user object.)"""
    if not roles.user_name(context):
        return _refuse(tk._("Sign in to declare a reuse."))
    return {"success": True}


@registry.auth("territoire_reuse_show", "territoire_reuse_list")
@tk.auth_allow_anonymous_access
def territoire_reuse_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Anyone: the action shows only what the user may see."""
    return {"success": True}


@registry.auth
def territoire_reuse_moderate(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The editors and admins of the dataset's organization (``dataset``), or
    of ``organization`` for its reuses to moderate; sysadmins."""
    user_name = roles.user_name(context)
    if data_dict.get("organization"):
        org = roles.organization(str(data_dict["organization"]))
        allowed = org is not None and roles.can_act(user_name, org)
    else:
        package = model.Package.get(str(data_dict.get("dataset") or ""))
        allowed = package is not None and reuses.can_moderate(user_name, package)
    if allowed:
        return {"success": True}
    return _refuse(
        tk._(
            "Only the editors of the dataset's organization can publish or "
            "refuse a reuse of it."
        )
    )


@registry.auth
def territoire_reuse_delete(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Who declared the reuse, sysadmins."""
    user_name = roles.user_name(context)
    reuse = model.Session.get(Reuse, str(data_dict.get("id") or ""))
    if user_name and (
        authz.is_sysadmin(user_name)
        or (reuse is not None and reuses.is_declarer(user_name, reuse))
    ):
        return {"success": True}
    return _refuse(tk._("Only who declared a reuse can delete it."))


def _readable(context: dict[str, Any], data_dict: dict[str, Any]) -> bool:
    package = model.Package.get(str(data_dict.get("dataset") or ""))
    return package is not None and reuses.can_read(roles.user_name(context), package)


@registry.auth
def territoire_feedback_create(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Signed-in users who may read the dataset."""
    if not roles.user_name(context):
        return _refuse(tk._("Sign in to ask a question or report a problem."))
    if _readable(context, data_dict):
        return {"success": True}
    return _refuse(tk._("Dataset not found"))


@registry.auth
@tk.auth_allow_anonymous_access
def territoire_feedback_list(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Whoever may read the dataset."""
    if _readable(context, data_dict):
        return {"success": True}
    return _refuse(tk._("Dataset not found"))


@registry.auth("territoire_feedback_answer", "territoire_feedback_hide")
def _answer(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The editors and admins of the dataset's organization, sysadmins."""
    row = model.Session.get(Feedback, str(data_dict.get("id") or ""))
    package = model.Package.get(str(row.package_id)) if row is not None else None
    if package is not None and reuses.can_moderate(roles.user_name(context), package):
        return {"success": True}
    return _refuse(
        tk._(
            "Only the editors of the dataset's organization can answer or hide "
            "the messages about it."
        )
    )


@registry.auth
def territoire_dataset_usage_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Who follows the dataset's organization: its members, the admins of its
    EPCI, sysadmins."""
    package = model.Package.get(str(data_dict.get("id") or ""))
    org = model.Group.get(package.owner_org) if package and package.owner_org else None
    if org is not None and roles.can_follow(roles.user_name(context), org):
        return {"success": True}
    return _refuse(
        tk._(
            "Only the members of the organization and the administrators of its "
            "intercommunality see the usage of its datasets."
        )
    )


@registry.auth("territoire_usage_show", "territoire_usage_month")
def _usage(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """A commune's usage: its members, the admins of its EPCI, sysadmins. An
    EPCI's (which covers its members): its admins, sysadmins."""
    org = roles.organization(str(data_dict.get("id") or ""))
    if org is not None and publisher.follows(roles.user_name(context), org):
        return {"success": True}
    return _refuse(
        tk._(
            "Only the members of the organization and the administrators of its "
            "intercommunality see the usage of its datasets."
        )
    )
