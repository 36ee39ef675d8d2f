"""Usage for the demo portal: a few public datasets in the first two member
communes of the EPCI and in the EPCI itself, 26 weeks of made-up daily
counts, one published reuse, one waiting for a decision, and an answered
question, so that the publisher's view has something to show.

Idempotent: the datasets and reuses are created once; the counts of the demo
datasets are replaced by the same figures (drawn from a generator seeded by
the dataset's name) at each run.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.usage import counting, publisher, reuses
from ckanext.opendata_territoire.usage.model import (
    ANSWERED,
    Feedback,
    Reuse,
    UsageCount,
    now,
)

PUBLISHED_REUSE_URL = "https://www.example.org/demo/carte-des-budgets"
PENDING_REUSE_URL = "https://www.example.org/demo/menus-de-la-semaine"


@dataclass(frozen=True)
class DemoDataset:
    owner: int  # 0, 1: the first two member communes; 2: the EPCI
    slug: str
    title: str
    # Daily use at its busiest (0: nobody ever opened it).
    level: int


DATASETS = (
    DemoDataset(0, "budget-primitif-2026", "Budget primitif 2026", 6),
    DemoDataset(0, "deliberations", "Délibérations du conseil municipal", 3),
    DemoDataset(0, "ancien-plan-cadastral", "Ancien plan cadastral", 0),
    DemoDataset(1, "menus-cantine", "Menus de la cantine scolaire", 4),
    DemoDataset(2, "equipements-sportifs", "Équipements sportifs du territoire", 2),
)


class DemoError(Exception):
    pass


def _owners(epci_siren: str) -> list[model.Group]:
    epci = roles.organization_by_siren(epci_siren)
    members = publisher.members(epci) if epci is not None else []
    if epci is None or len(members) < 2:
        raise DemoError(
            tk._(
                "No EPCI {siren} with at least two member communes in the "
                "catalogue: run ckan territoire init --epci {siren} first."
            ).format(siren=epci_siren)
        )
    return [members[0], members[1], epci]


def _dataset(spec: DemoDataset, owner: model.Group, user: str) -> model.Package:
    name = f"{spec.slug}-{owner.name}"[:100]
    existing = model.Package.get(name)
    if existing is not None:
        return existing
    tk.get_action("package_create")(
        {"user": user, "ignore_auth": True},
        {
            "name": name,
            "title": f"{spec.title} — {owner.title}",
            "owner_org": owner.id,
            "notes": tk._("Demonstration dataset: its usage figures are made up."),
            "license_id": "odc-odbl",
            "personal_data": "none",
            "resources": [
                {
                    "name": f"{spec.slug}.csv",
                    "url": f"https://www.example.org/demo/{spec.slug}.csv",
                    "format": "CSV",
                }
            ],
        },
    )
    return model.Package.get(name)


def _daily_counts(
    package: model.Package, level: int, weeks: int, until: dt.date
) -> list[UsageCount]:
    """Made-up counts, the same at each run, growing over the weeks."""
    draw = random.Random(package.name)
    resource_id = package.resources[0].id if package.resources else ""
    first = until - dt.timedelta(weeks=weeks)
    rows = []
    for offset in range((until - first).days):
        day = first + dt.timedelta(days=offset)
        growth = 0.5 + offset / (until - first).days
        weekday = 1.0 if day.weekday() < 5 else 0.4
        top = max(1, round(level * growth * weekday))
        for kind, target, scale in (
            (counting.VIEW, "", 3),
            (counting.DOWNLOAD, resource_id, 1),
            (counting.API, resource_id, 2),
            (counting.DUMP, resource_id, 0.3),
        ):
            count = draw.randint(0, max(0, round(top * scale)))
            if count:
                rows.append(
                    UsageCount(
                        package_id=package.id,
                        resource_id=target,
                        kind=kind,
                        day=day,
                        count=count,
                    )
                )
    return rows


def _reuse(
    url: str, fields: dict[str, str], packages: list[model.Package], user: str | None
) -> bool:
    if model.Session.query(Reuse).filter(Reuse.url == url).first() is not None:
        return False
    reuses.create({**fields, "url": url}, packages, user)
    return True


def _question(package: model.Package, user: str) -> bool:
    if model.Session.query(Feedback).filter(Feedback.package_id == package.id).count():
        return False
    answerer = model.User.get(user)
    model.Session.add(
        Feedback(
            package_id=package.id,
            kind="question",
            message=tk._("Does the budget include the water supply's annex budget?"),
            created=now(),
            state=ANSWERED,
            answer=tk._("No: the annex budgets are published in a separate dataset."),
            answered_by=answerer.id if answerer else None,
            answered=now(),
        )
    )
    model.Session.commit()
    return True


def seed(epci_siren: str, weeks: int = 26) -> dict[str, Any]:
    """Create the demo datasets, counts, reuses and question; what was done."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    owners = _owners(epci_siren)
    packages = [_dataset(spec, owners[spec.owner], site_user) for spec in DATASETS]
    ids = [p.id for p in packages]
    model.Session.query(UsageCount).filter(UsageCount.package_id.in_(ids)).delete(
        synchronize_session=False
    )
    rows = [
        row
        for spec, package in zip(DATASETS, packages, strict=True)
        if spec.level
        for row in _daily_counts(package, spec.level, weeks, counting.today())
    ]
    model.Session.add_all(rows)
    model.Session.commit()
    budget, menus = packages[0], packages[3]
    created = [
        _reuse(
            PUBLISHED_REUSE_URL,
            {
                "title": tk._("Map of the budgets of the Vercors"),
                "type": "visualisation",
                "author": "Vercors Data Lab",
                "description": tk._("The communes' budgets on one map."),
            },
            [budget],
            site_user,
        ),
        _reuse(
            PENDING_REUSE_URL,
            {
                "title": tk._("This week's menus"),
                "type": "application",
                "author": tk._("Parents' association"),
            },
            [menus],
            None,
        ),
    ]
    _question(budget, site_user)
    return {
        "datasets": len(packages),
        "counts": len(rows),
        "reuses": sum(created),
        "organizations": [o.name for o in owners],
        "epci": owners[2].name,
    }
