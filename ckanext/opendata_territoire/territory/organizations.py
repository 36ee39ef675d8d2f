"""The territory in the catalogue: one organization for the EPCI and one per
member commune, created or brought up to date from the reference data.

Organizations are found by their SIREN (the ``siren`` field), never by their
name, so an organization renamed in the UI is updated, not duplicated. Only
the fields of :data:`MANAGED_FIELDS` are written: descriptions, contacts,
numbers of agents... belong to the organization's editors. A second run
changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.lib.munge import munge_title_to_name

from ckanext.opendata_territoire.territory.reference import (
    Commune,
    Epci,
    Reference,
    TerritoryError,
    check_siren,
    get_reference,
)

# The fields the reference data owns.
MANAGED_FIELDS = (
    "title",
    "collectivite_type",
    "insee_code",
    "siren",
    "population",
    "epci_siren",
)

CREATED, UPDATED, UNCHANGED, NOT_MEMBER = (
    "created",
    "updated",
    "unchanged",
    "not_member",
)


@dataclass
class Change:
    """What happened (or, in a dry run, would happen) to one organization.
    ``changes`` maps each field written to its ``(before, after)`` values."""

    outcome: str
    name: str
    title: str
    collectivite_type: str
    siren: str
    insee_code: str | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "collectivite_type": self.collectivite_type,
            "siren": self.siren,
            "insee_code": self.insee_code,
        }
        if self.outcome == CREATED:
            row["fields"] = {k: after for k, (_before, after) in self.changes.items()}
        elif self.outcome == UPDATED:
            row["changes"] = {
                k: {"before": before, "after": after}
                for k, (before, after) in self.changes.items()
            }
        return row


@dataclass
class Summary:
    epci_siren: str
    epci_name: str
    source: str
    dry_run: bool = False
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)
    # Organizations that name this EPCI as theirs (epci_siren) but are no
    # longer among its members in the reference data: reported, not touched.
    not_members: list[Change] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        """Every organization of the territory: the EPCI, then its communes in
        alphabetical order."""
        return sorted(
            self.created + self.updated + self.unchanged,
            key=lambda c: (c.collectivite_type != "epci", sort_key(c.title)),
        )

    def add(self, change: Change) -> None:
        {
            CREATED: self.created,
            UPDATED: self.updated,
            UNCHANGED: self.unchanged,
            NOT_MEMBER: self.not_members,
        }[change.outcome].append(change)

    def as_dict(self) -> dict[str, Any]:
        return {
            "epci": {"siren": self.epci_siren, "name": self.epci_name},
            "source": self.source,
            "dry_run": self.dry_run,
            "created": [c.as_dict() for c in self.created],
            "updated": [c.as_dict() for c in self.updated],
            "unchanged": [c.as_dict() for c in self.unchanged],
            "not_members": [c.as_dict() for c in self.not_members],
        }


def sort_key(text: str) -> str:
    """Alphabetical order as in French: accents and case ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


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


def organization_rows(key: str, values: set[str]) -> list[tuple[str, str]]:
    """``(value, id)`` of the active organizations whose extra ``key`` is one
    of ``values``, oldest first. A direct query: organization_list with
    all_fields stops at 25 organizations."""
    if not values:
        return []
    query = (
        model.Session.query(model.GroupExtra.value, model.Group.id)
        .join(model.Group, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
        .filter(model.GroupExtra.state == "active")
        .filter(model.GroupExtra.key == key)
        .filter(model.GroupExtra.value.in_(sorted(values)))
        .order_by(model.Group.created.asc(), model.Group.id)
    )
    return [(value, group_id) for value, group_id in query.all()]


def _show(group_id: str, count: bool = True) -> dict[str, Any]:
    """organization_show, with the number of public datasets unless
    ``count`` is false (one search less)."""
    return tk.get_action("organization_show")(
        {"ignore_auth": True},
        {
            "id": group_id,
            "include_datasets": False,
            "include_users": False,
            "include_dataset_count": count,
        },
    )


def public_dataset_counts(group_ids: list[str]) -> dict[str, int]:
    """The number of public datasets of each organization, in one search
    (what organization_show's package_count gives, one search each)."""
    if not group_ids:
        return {}
    owners = " OR ".join(f'"{group_id}"' for group_id in group_ids)
    result = tk.get_action("package_search")(
        {"ignore_auth": True},
        {
            "fq": f"+owner_org:({owners})",
            "rows": 0,
            "facet": "true",
            "facet.field": ["owner_org"],
            "facet.limit": -1,
            "facet.mincount": 1,
        },
    )
    counts = result["facets"].get("owner_org", {})
    return {group_id: int(counts.get(group_id, 0)) for group_id in group_ids}


def organizations_by_siren(sirens: set[str]) -> dict[str, dict[str, Any]]:
    """SIREN -> organization, for the SIRENs that have one (the oldest when
    several organizations share a SIREN)."""
    found: dict[str, str] = {}
    for siren, group_id in organization_rows("siren", sirens):
        found.setdefault(siren, group_id)
    return {siren: _show(group_id) for siren, group_id in found.items()}


def member_organizations(epci_siren: str, count: bool = True) -> list[dict[str, Any]]:
    """The organizations whose ``epci_siren`` is this SIREN (with their
    ``package_count`` unless ``count`` is false)."""
    return [
        _show(group_id, count)
        for _v, group_id in organization_rows("epci_siren", {epci_siren})
    ]


def territory(epci_siren: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The EPCI's organization (or None) and the others whose ``epci_siren``
    is its SIREN, with the fields of territoire_territory_show: read from
    the organization tables in two queries and every ``package_count`` in one
    search (organization_show would cost a dozen queries and searches each)."""
    found: dict[str, str] = {}
    for siren, group_id in organization_rows("siren", {epci_siren}):
        found.setdefault(siren, group_id)
    epci_id = found.get(epci_siren)
    member_ids = [
        group_id
        for _v, group_id in organization_rows("epci_siren", {epci_siren})
        if group_id != epci_id
    ]
    ids = ([epci_id] if epci_id else []) + member_ids
    if not ids:
        return None, []
    fields = ("collectivite_type", "insee_code", "siren", "population", "epci_siren")
    extras: dict[str, dict[str, str]] = {}
    for group_id, key, value in (
        model.Session.query(
            model.GroupExtra.group_id, model.GroupExtra.key, model.GroupExtra.value
        )
        .filter(model.GroupExtra.group_id.in_(ids))
        .filter(model.GroupExtra.state == "active")
        .filter(model.GroupExtra.key.in_(fields))
    ):
        extras.setdefault(group_id, {})[key] = value
    counts = public_dataset_counts(ids)
    organizations = {}
    for group in model.Session.query(model.Group).filter(model.Group.id.in_(ids)):
        own = extras.get(group.id, {})
        organization: dict[str, Any] = {
            "id": group.id,
            "name": group.name,
            "title": group.title,
            **{key: own.get(key) or None for key in fields},
            "package_count": counts[group.id],
        }
        population = str(organization["population"] or "")
        organization["population"] = int(population) if population.isdigit() else None
        organizations[group.id] = organization
    members = [organizations[group_id] for group_id in member_ids]
    members = [m for m in members if m.get("siren") != epci_siren]
    return (organizations[epci_id] if epci_id else None), members


def _same(current: Any, wanted: Any) -> bool:
    def text(value: Any) -> str:
        return "" if value is None else str(value).strip()

    return text(current) == text(wanted)


def _slug(title: str) -> str:
    for ligature, letters in (("Œ", "Oe"), ("œ", "oe"), ("Æ", "Ae"), ("æ", "ae")):
        title = title.replace(ligature, letters)
    return munge_title_to_name(title)


def _free_name(wanted: dict[str, Any], reserved: set[str]) -> str:
    """A URL name for a new organization: the slug of its title, or, when
    that is taken (by a group, another organization or a deleted one), the slug
    followed by its INSEE code (communes) or SIREN (EPCI)."""
    base = _slug(wanted["title"])
    code = str(wanted.get("insee_code") or wanted["siren"]).lower()
    suffixes = [f"-{code}"] + [f"-{code}-{n}" for n in range(2, 100)]
    # CKAN names have at most 100 characters.
    candidates = [base] + [base[: 100 - len(s)] + s for s in suffixes]
    for candidate in candidates:
        if candidate not in reserved and model.Group.get(candidate) is None:
            reserved.add(candidate)
            return candidate
    raise TerritoryError(f"No free organization name for {wanted['title']}")


def _writer(user: str | None) -> str:
    """The user the organizations are written as: a sysadmin, by default the
    site user."""
    if not user:
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        return str(site_user["name"])
    user_obj = model.User.get(user)
    if user_obj is None:
        raise TerritoryError(tk._('No user "{user}".').format(user=user))
    if not authz.is_sysadmin(user):
        raise TerritoryError(
            tk._(
                '"{user}" is not a sysadmin: only a sysadmin can initialise the '
                "territory."
            ).format(user=user)
        )
    return str(user_obj.name)


def init_territory(
    epci_siren: str,
    dry_run: bool = False,
    user: str | None = None,
    reference: Reference | None = None,
    progress: Callable[[int, int, Change], None] | None = None,
) -> Summary:
    """Create or update the organizations of the EPCI and of its member
    communes, as ``user`` (a sysadmin; default: the site user). In a dry run,
    nothing is written and the summary tells what would be. ``progress`` is
    called as ``progress(number, total, change)`` after each organization.

    Raises TerritoryError (unknown SIREN, missing reference data, unknown
    user) before writing anything, and ckan's ValidationError if the schema
    refuses an organization (the ones done before stay done; a new run picks
    up where it stopped)."""
    siren = check_siren(epci_siren)
    reference = reference or get_reference()
    epci = reference.epci(siren)
    context = {"user": _writer(user)}
    targets = [wanted_epci(epci)] + [wanted_commune(c, epci) for c in epci.members]
    existing = organizations_by_siren({t["siren"] for t in targets})
    summary = Summary(
        epci_siren=epci.siren,
        epci_name=epci.name,
        source=reference.description,
        dry_run=dry_run,
    )
    reserved: set[str] = set()
    for number, wanted in enumerate(targets, start=1):
        current = existing.get(wanted["siren"])
        change = _apply(wanted, current, context, dry_run, reserved)
        summary.add(change)
        if progress:
            progress(number, len(targets), change)

    member_sirens = {t["siren"] for t in targets}
    for org in member_organizations(epci.siren):
        if org.get("siren") not in member_sirens:
            summary.add(_change(NOT_MEMBER, org, org))
    return summary


def _change(
    outcome: str, org: dict[str, Any], wanted: dict[str, Any], **kw: Any
) -> Change:
    return Change(
        outcome=outcome,
        name=org["name"],
        title=wanted.get("title") or org.get("title") or org["name"],
        collectivite_type=wanted.get("collectivite_type") or "",
        siren=wanted.get("siren") or "",
        insee_code=wanted.get("insee_code"),
        **kw,
    )


def _apply(
    wanted: dict[str, Any],
    current: dict[str, Any] | None,
    context: dict[str, Any],
    dry_run: bool,
    reserved: set[str],
) -> Change:
    values = {k: v for k, v in wanted.items() if v is not None}
    if current is None:
        name = _free_name(wanted, reserved)
        if not dry_run:
            tk.get_action("organization_create")(
                dict(context), {"name": name, **values}
            )
        changes = {k: (None, v) for k, v in values.items()}
        return _change(CREATED, {"name": name}, wanted, changes=changes)

    changes = {
        k: (current.get(k), v)
        for k, v in values.items()
        if not _same(current.get(k), v)
    }
    if not changes:
        return _change(UNCHANGED, current, wanted)
    if not dry_run:
        tk.get_action("organization_patch")(
            dict(context),
            {"id": current["id"], **{k: v for k, (_b, v) in changes.items()}},
        )
    return _change(UPDATED, current, wanted, changes=changes)
