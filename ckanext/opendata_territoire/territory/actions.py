"""Actions of the territory (gathered by logic/action.py)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.territory.organizations import init_territory
from ckanext.opendata_territoire.territory.reference import (
    TerritoryError,
    get_reference,
)

__all__ = ["territoire_territory_init", "territoire_territory_show"]

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
    return str(
        data_dict.get("epci_siren") or tk.config["ckanext.territoire.epci_siren"]
    )


@tk.side_effect_free
def territoire_territory_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The EPCI and its member communes as they are in the catalogue.

    :param epci_siren: SIREN of the EPCI (default: ckanext.territoire.epci_siren)
    :returns: ``{"epci": organization or None, "members": [organization...]}``,
        each organization with its codes and its number of public datasets
    """
    tk.check_access("territoire_territory_show", context, data_dict)
    siren = _epci_siren(data_dict)
    organizations = tk.get_action("organization_list")(
        {"ignore_auth": True},
        {"all_fields": True, "include_extras": True, "limit": 1000},
    )

    def public(org: dict[str, Any]) -> dict[str, Any]:
        return {key: org.get(key) for key in ORGANIZATION_FIELDS}

    epci = next((o for o in organizations if o.get("siren") == siren), None)
    members = sorted(
        (public(o) for o in organizations if o.get("epci_siren") == siren),
        key=lambda org: org["title"],
    )
    return {"epci": public(epci) if epci else None, "members": members}


def territoire_territory_init(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Create or update the organizations of the EPCI and its member communes
    from the territory reference data (as ``ckan territoire init``).

    :param epci_siren: SIREN of the EPCI (default: ckanext.territoire.epci_siren)
    :param dry_run: if true, only report what would change
    :returns: the summary: created, updated (with the changed fields), unchanged
    """
    tk.check_access("territoire_territory_init", context, data_dict)
    siren = _epci_siren(data_dict)
    try:
        summary = init_territory(
            get_reference(),
            siren,
            {"user": context["user"]},
            dry_run=tk.asbool(data_dict.get("dry_run", False)),
        )
    except TerritoryError as error:
        raise tk.ValidationError({"epci_siren": [str(error)]}) from None
    return summary.as_dict()
