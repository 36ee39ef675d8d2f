"""Usage figures from the daily counts: by ISO week (Monday), by calendar
month, per dataset and per resource, and the datasets nobody opened lately.

Counts are kept per day so that weeks and months both add up exactly (a week
that straddles two months is split between them by its days).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from ckan import model

from ckanext.opendata_territoire.usage.counting import KINDS, today
from ckanext.opendata_territoire.usage.model import UsageCount

Figures = dict[str, int]
# "Nobody opened it in six months".
UNUSED_DAYS = 182


def zero() -> Figures:
    return {kind: 0 for kind in KINDS}


def total(figures: Figures) -> int:
    return sum(figures[kind] for kind in KINDS)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_starts(weeks: int, until: dt.date | None = None) -> list[dt.date]:
    """The Mondays of the last ``weeks`` weeks, the current one last."""
    last = monday(until or today())
    return [last - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First day of the month ``YYYY-MM`` and first day of the next one."""
    first = dt.date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following


def weekly(
    package_ids: list[str], weeks: int, resource_id: str | None = None
) -> list[dict[str, object]]:
    """Each of the last ``weeks`` weeks with its figures, weeks without any
    use included."""
    starts = week_starts(weeks)
    rows: dict[dt.date, Figures] = {start: zero() for start in starts}
    week = sa.func.date_trunc("week", UsageCount.day)
    query = model.Session.query(
        week, UsageCount.kind, sa.func.sum(UsageCount.count)
    ).filter(
        UsageCount.package_id.in_(package_ids),
        UsageCount.day >= starts[0],
    )
    if resource_id is not None:
        query = query.filter(UsageCount.resource_id == resource_id)
    for start, kind, count in query.group_by(week, UsageCount.kind):
        key = start.date() if isinstance(start, dt.datetime) else start
        if key in rows and kind in rows[key]:
            rows[key][kind] += int(count)
    return [{"week": start.isoformat(), **rows[start]} for start in starts]


def by_target(
    package_ids: list[str],
    since: dt.date | None = None,
    before: dt.date | None = None,
    per_resource: bool = False,
) -> dict[str, Figures]:
    """Figures per dataset id (or per resource id, ``""`` for the dataset as
    a whole) over the days from ``since`` to before ``before``."""
    target = UsageCount.resource_id if per_resource else UsageCount.package_id
    query = model.Session.query(
        target, UsageCount.kind, sa.func.sum(UsageCount.count)
    ).filter(UsageCount.package_id.in_(package_ids))
    if since is not None:
        query = query.filter(UsageCount.day >= since)
    if before is not None:
        query = query.filter(UsageCount.day < before)
    figures: dict[str, Figures] = {}
    for key, kind, count in query.group_by(target, UsageCount.kind):
        if kind in KINDS:
            figures.setdefault(str(key), zero())[kind] += int(count)
    return figures


def last_used(package_ids: list[str]) -> dict[str, dt.date]:
    """The last day each dataset was used at all (datasets never used are
    absent)."""
    rows = (
        model.Session.query(UsageCount.package_id, sa.func.max(UsageCount.day))
        .filter(UsageCount.package_id.in_(package_ids))
        .group_by(UsageCount.package_id)
    )
    return {str(package_id): day for package_id, day in rows}


def unused_since(package_ids: list[str], days: int = UNUSED_DAYS) -> set[str]:
    """The datasets nobody opened, downloaded or read through the API in the
    last ``days`` days."""
    limit = today() - dt.timedelta(days=days)
    used = last_used(package_ids)
    return {pid for pid in package_ids if pid not in used or used[pid] <= limit}


def purge(months: int) -> int:
    """Delete the daily counts older than ``months`` months; how many rows."""
    now = today()
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    limit = dt.date(year, month + 1, 1)
    deleted = _counts_before(limit).delete(synchronize_session=False)
    model.Session.commit()
    return int(deleted)


def _counts_before(day: dt.date) -> sa.orm.Query:
    return model.Session.query(UsageCount).filter(UsageCount.day < day)
