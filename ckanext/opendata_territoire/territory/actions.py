"""Actions of the territory (registered with @registry.action)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.territory.organizations import (
    init_territory,
    sort_key,
    territory,
)
from ckanext.opendata_territoire.territory.reference import (
    TerritoryError,
    check_siren,
)

ORGANIZATION_FIELDS = (
    "id",
    "name",
    "title",
    "collectivite_type",
    "insee_code",
    "siren",
    "population",
    "epci_siren",
    "package_count",
)


def _epci_siren(data_dict: dict[str, Any]) -> str:
    value = data_dict.get("epci_siren") or tk.config["ckanext.territoire.epci_siren"]
    try:
        return check_siren(str(value))
    except TerritoryError as error:
        raise tk.ValidationError({"epci_siren": [str(error)]}) from None


def _flag(data_dict: dict[str, Any], key: str) -> bool:
    value = data_dict.get(key, False)
    try:
        return bool(tk.asbool(value)) if value not in (None, "") else False
    except ValueError:
        raise tk.ValidationError({key: [tk._("Must be true or false.")]}) from None


def _public(org: dict[str, Any]) -> dict[str, Any]:
    return {key: org.get(key) for key in ORGANIZATION_FIELDS}


@registry.action
@tk.side_effect_free
def territoire_territory_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The EPCI and its member communes as they are in the catalogue: the
    organization whose ``siren`` is the EPCI's and those whose ``epci_siren``
    is.

    :param epci_siren: SIREN of the EPCI (default: ckanext.territoire.epci_siren)
    :returns: ``{"epci": organization or None, "members": [organization...]}``,
        each organization with ``id``, ``name``, ``title``,
        ``collectivite_type``, ``insee_code``, ``siren``, ``population``,
        ``epci_siren`` and ``package_count`` (its public datasets); members in
        alphabetical order
    """
    tk.check_access("territoire_territory_show", context, data_dict)
    siren = _epci_siren(data_dict)
    epci, found = territory(siren)
    members = [_public(org) for org in found]
    members.sort(key=lambda org: sort_key(org["title"] or org["name"]))
    return {"epci": _public(epci) if epci else None, "members": members}


@registry.action
def territoire_territory_init(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Create or update the organizations of the EPCI and its member communes
    from the territory reference data, as ``ckan territoire init`` does; the
    organizations are written as the calling sysadmin (as the site user when
    the call comes from code that skipped the auth check).

    :param epci_siren: SIREN of the EPCI (default: ckanext.territoire.epci_siren)
    :param dry_run: if true, write nothing and return what would change
    :returns: the summary: ``epci``, ``source``, ``dry_run``, ``created`` (with
        their ``fields``), ``updated`` (with their ``changes``, each field's
        ``before`` and ``after``), ``unchanged``, ``not_members``
        (organizations naming this EPCI that the reference data no longer
        lists among its members; left as they are)
    """
    tk.check_access("territoire_territory_init", context, data_dict)
    siren = _epci_siren(data_dict)
    user = context.get("user") or None
    try:
        summary = init_territory(
            siren,
            dry_run=_flag(data_dict, "dry_run"),
            user=user if user and authz.is_sysadmin(user) else None,
        )
    except TerritoryError as error:
        raise tk.ValidationError({"epci_siren": [str(error)]}) from None
    return summary.as_dict()


@registry.action
@tk.side_effect_free
@tk.chained_action
def package_show(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    """CKAN's, except that a dataset one may not read answers "not found",
    as a missing one does (CKAN's API answered 403, which told anyone that a
    private dataset of that name exists; its pages already answer 404)."""
    for key in ("id", "name_or_id"):
        if data_dict.get(key) is not None and not isinstance(data_dict[key], str):
            # CKAN looked it up as it was: a number was a server error.
            raise tk.ValidationError({key: [tk._("Must be a text.")]})
    try:
        return next_action(context, data_dict)
    except tk.NotAuthorized:
        raise tk.ObjectNotFound(tk._("Dataset not found")) from None
