"""The territory in the catalogue: one organization for the EPCI and one per
member commune, created or brought up to date from the reference data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.munge import munge_title_to_name

from ckanext.opendata_territoire.territory.reference import Commune, Epci, Reference

# The fields the reference data owns; anything else (description, contacts,
# agents...) belongs to the organization's editors and is never touched.
MANAGED_FIELDS = (
    "title",
    "collectivite_type",
    "insee_code",
    "siren",
    "population",
    "epci_siren",
)


@dataclass
class Change:
    name: str
    title: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Summary:
    epci: str
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def rows(changes: list[Change]) -> list[dict[str, Any]]:
            return [
                {"name": c.name, "title": c.title, "fields": c.fields} for c in changes
            ]

        return {
            "epci": self.epci,
            "created": rows(self.created),
            "updated": rows(self.updated),
            "unchanged": rows(self.unchanged),
        }


def wanted_epci(epci: Epci) -> dict[str, Any]:
    return {
        "title": epci.name,
        "collectivite_type": "epci",
        "siren": epci.siren,
        "population": epci.population,
    }


def wanted_commune(commune: Commune, epci: Epci) -> dict[str, Any]:
    return {
        "title": commune.name,
        "collectivite_type": "commune",
        "insee_code": commune.insee,
        "siren": commune.siren,
        "population": commune.population,
        "epci_siren": epci.siren,
    }


def _organizations_by_siren(context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    organizations = tk.get_action("organization_list")(
        dict(context),
        {"all_fields": True, "include_extras": True, "limit": 1000},
    )
    return {org["siren"]: org for org in organizations if org.get("siren")}


def _differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in wanted.items()
        if value is not None and str(current.get(key) or "") != str(value)
    }


def init_territory(
    reference: Reference,
    epci_siren: str,
    context: dict[str, Any],
    dry_run: bool = False,
) -> Summary:
    """Create or update the organizations of the EPCI and its communes. Only
    the fields of MANAGED_FIELDS are written; a second run changes nothing."""
    epci = reference.epci(epci_siren)
    existing = _organizations_by_siren(context)
    summary = Summary(epci=epci.name)
    targets = [wanted_epci(epci)] + [wanted_commune(c, epci) for c in epci.members]
    for wanted in targets:
        current = existing.get(wanted["siren"])
        if current is None:
            name = munge_title_to_name(wanted["title"])
            change = Change(name=name, title=wanted["title"], fields=wanted)
            summary.created.append(change)
            if not dry_run:
                tk.get_action("organization_create")(
                    dict(context),
                    {
                        "name": name,
                        **{k: v for k, v in wanted.items() if v is not None},
                    },
                )
            continue
        differences = _differences(current, wanted)
        change = Change(
            name=current["name"], title=current["title"], fields=differences
        )
        if not differences:
            summary.unchanged.append(change)
            continue
        summary.updated.append(change)
        if not dry_run:
            tk.get_action("organization_patch")(
                dict(context), {"id": current["id"], **differences}
            )
    return summary
