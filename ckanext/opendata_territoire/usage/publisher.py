"""The publisher's view: for a commune, its most used datasets, its use over
time, its reuses and the datasets nobody opened in six months; for the EPCI,
the same across its own datasets and its members', with a row per member.
Also the monthly export, one row per dataset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.usage import figures, reuses
from ckanext.opendata_territoire.usage.counting import KINDS
from ckanext.opendata_territoire.usage.model import PENDING, PUBLISHED, ReuseDataset

TOP_DATASETS = 10
CSV_COLUMNS = (
    "month",
    "organization",
    "dataset",
    "title",
    *KINDS,
    "total",
    "reuses",
)
# Their headers in the CSV file (French, as the page).
CSV_HEADERS = (
    "mois",
    "organisation",
    "jeu_de_donnees",
    "titre",
    "vues",
    "telechargements",
    "exports_datastore",
    "appels_api",
    "total",
    "reutilisations",
)


def is_epci(org: model.Group) -> bool:
    return roles.is_epci(org)


def members(epci: model.Group) -> list[model.Group]:
    """The active organizations whose EPCI is ``epci`` (by SIREN), by title."""
    siren = epci.extras.get("siren")
    if not siren:
        return []
    return (
        model.Session.query(model.Group)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
        .filter(model.GroupExtra.key == "epci_siren")
        .filter(model.GroupExtra.value == siren)
        .order_by(model.Group.title)
        .all()
    )


def covered(org: model.Group) -> list[model.Group]:
    """The organizations whose datasets the view covers: the commune, or the
    EPCI and its members."""
    return [org, *members(org)] if is_epci(org) else [org]


def public_datasets(orgs: list[model.Group]) -> list[model.Package]:
    """The active public datasets of the organizations, by title: the only
    ones ever counted or shown."""
    if not orgs:
        return []
    return (
        model.Session.query(model.Package)
        .filter(model.Package.owner_org.in_([o.id for o in orgs]))
        .filter(model.Package.state == "active")
        .filter(model.Package.private.is_(False))
        .filter(model.Package.type == "dataset")
        .order_by(model.Package.title, model.Package.name)
        .all()
    )


def _dataset_row(
    package: model.Package,
    organizations: dict[str, model.Group],
    used: dict[str, figures.Figures],
    reuse_counts: dict[str, int],
) -> dict[str, Any]:
    values = used.get(package.id, figures.zero())
    org = organizations.get(str(package.owner_org))
    return {
        "name": package.name,
        "title": package.title or package.name,
        "organization": org.name if org else None,
        "organization_title": org.title if org else None,
        **values,
        "total": figures.total(values),
        "reuses": reuse_counts.get(package.id, 0),
    }


def _sum(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {kind: sum(int(row[kind]) for row in rows) for kind in (*KINDS, "total")}


def _published_reuses(
    package_ids: list[str], user_name: str | None
) -> list[dict[str, Any]]:
    reuse_ids = [
        reuse_id
        for (reuse_id,) in model.Session.query(ReuseDataset.reuse_id)
        .filter(ReuseDataset.package_id.in_(package_ids))
        .filter(ReuseDataset.state == PUBLISHED)
        .distinct()
    ]
    found = [
        reuse for reuse in reuses.find(user_name, PUBLISHED) if reuse.id in reuse_ids
    ]
    return [reuses.as_dict(reuse, user_name) for reuse in found]


def _pending_count(package_ids: list[str]) -> int:
    if not package_ids:
        return 0
    return (
        model.Session.query(ReuseDataset)
        .filter(ReuseDataset.package_id.in_(package_ids))
        .filter(ReuseDataset.state == PENDING)
        .count()
    )


def _member_row(
    member: model.Group, rows: list[dict[str, Any]], unused: list[dict[str, Any]]
) -> dict[str, Any]:
    mine = [row for row in rows if row["organization"] == member.name]
    return {
        "name": member.name,
        "title": member.title,
        "public_datasets": len(mine),
        **_sum(mine),
        "reuses": sum(row["reuses"] for row in mine),
        "unused_datasets": sum(1 for u in unused if u["organization"] == member.name),
    }


def view(org: model.Group, weeks: int, user_name: str | None) -> dict[str, Any]:
    """Everything the publisher's page shows (see the action
    territoire_usage_show)."""
    orgs = covered(org)
    organizations = {o.id: o for o in orgs}
    datasets = public_datasets(orgs)
    ids = [p.id for p in datasets]
    since = figures.week_starts(weeks)[0]
    used = figures.by_target(ids, since)
    reuse_counts = reuses.published_count(ids)
    rows = [_dataset_row(p, organizations, used, reuse_counts) for p in datasets]
    unused_ids = figures.unused_since(ids)
    last = figures.last_used(ids)
    unused = [
        {
            "name": p.name,
            "title": p.title or p.name,
            "organization": organizations[str(p.owner_org)].name,
            "organization_title": organizations[str(p.owner_org)].title,
            "created": p.metadata_created.date().isoformat(),
            "last_used": last[p.id].isoformat() if p.id in last else None,
        }
        for p in datasets
        if p.id in unused_ids
    ]
    result: dict[str, Any] = {
        "organization": org.name,
        "epci": is_epci(org),
        "weeks": figures.weekly(ids, weeks) if ids else [],
        "since": since.isoformat(),
        "total": _sum(rows),
        "public_datasets": len(datasets),
        "top_datasets": sorted(
            (row for row in rows if row["total"]),
            key=lambda row: (-row["total"], row["title"]),
        )[:TOP_DATASETS],
        "reuses": _published_reuses(ids, user_name),
        "pending_reuses": _pending_count(ids),
        "unused_datasets": unused,
        "unused_days": figures.UNUSED_DAYS,
    }
    if is_epci(org):
        result["members"] = [_member_row(member, rows, unused) for member in orgs]
    return result


def checked_month(value: Any) -> str:
    """``YYYY-MM``; by default the last complete month."""
    if value in (None, ""):
        first = figures.today().replace(day=1)
        return (first - dt.timedelta(days=1)).strftime("%Y-%m")
    month = str(value)
    try:
        figures.month_bounds(month)
    except (ValueError, OverflowError):
        raise tk.ValidationError(
            {
                "month": [
                    tk._('"{value}" is not a month: write it YYYY-MM.').format(
                        value=month
                    )
                ]
            }
        ) from None
    return month


def month_rows(org: model.Group, month: str) -> list[dict[str, Any]]:
    """One row per public dataset of the organizations covered, with its use
    during the month (CSV_COLUMNS)."""
    orgs = covered(org)
    organizations = {o.id: o for o in orgs}
    datasets = public_datasets(orgs)
    ids = [p.id for p in datasets]
    used = figures.by_target(ids, *figures.month_bounds(month))
    reuse_counts = reuses.published_count(ids)
    rows = [
        {"month": month, **_dataset_row(p, organizations, used, reuse_counts)}
        for p in datasets
    ]
    return [
        {
            column: row["name" if column == "dataset" else column]
            for column in CSV_COLUMNS
        }
        for row in rows
    ]


def follows(user_name: str | None, org: model.Group) -> bool:
    """Who sees an organization's usage: a commune's members and the admins
    of its EPCI; for an EPCI (which covers its members), its admins; always
    sysadmins."""
    if is_epci(org):
        return roles.territory_admin(user_name, org)
    return roles.can_follow(user_name, org)
