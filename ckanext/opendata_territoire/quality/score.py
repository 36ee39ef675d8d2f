"""The quality score of a dataset: the share of the criteria of criteria.yaml
that it meets, each criterion with how to meet it.

Pure: the dataset (as package_show gives it), what the checks of its files
found and today's date in, the score out. A criterion that does not apply
(no national schema declared, no planned update) counts neither for nor
against; the score is the percentage of the applicable criteria met.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

CRITERIA_FILE = Path(__file__).with_name("criteria.yaml")

DESCRIPTION_MIN_LENGTH = 100
NO_LICENCE = frozenset({"", "notspecified"})
# Formats that hold data a program cannot read without a proprietary tool or
# without copying it by hand.
CLOSED_FORMATS = frozenset(
    {"pdf", "doc", "docx", "word", "xls", "xlsx", "excel", "ppt", "pptx"}
)
# Longest expected gap between two updates, by data.gouv.fr frequency id;
# punctual, irregular and unknown have none.
FREQUENCY_DAYS = {
    "continuous": 1,
    "hourly": 1,
    "severalTimesADay": 1,
    "daily": 1,
    "semiweekly": 4,
    "weekly": 7,
    "biweekly": 14,
    "semimonthly": 16,
    "monthly": 31,
    "bimonthly": 62,
    "quarterly": 92,
    "semiannual": 183,
    "annual": 366,
    "biennial": 731,
    "triennial": 1096,
    "quinquennial": 1827,
}
# An update published the day after it was due is still on time.
GRACE_DAYS = 1
# Score levels of the search facet, from the highest threshold down.
LEVELS = ((80, "high"), (50, "medium"), (0, "low"))

Checks = Mapping[str, Mapping[str, Any]]
# What a criterion found: met (True/False, None when it does not apply) and
# the facts the publisher needs to act on it.
Finding = tuple[bool | None, dict[str, Any]]


@functools.cache
def criteria() -> tuple[dict[str, str], ...]:
    """The criteria of criteria.yaml: ``id``, ``label``, ``description``."""
    entries = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))["criteria"]
    missing = [e["id"] for e in entries if e["id"] not in CHECKS]
    if missing:
        raise ValueError(f"{CRITERIA_FILE}: no check for the criteria {missing}")
    return tuple(entries)


def evaluate(
    dataset: Mapping[str, Any], checks: Checks, today: dt.date
) -> dict[str, Any]:
    """The score of ``dataset`` (0 to 100), its level and every criterion.

    :param checks: by resource id, what the file checks found: ``reachable``
        (True, False, or None when not checked) and ``validation`` (the
        status of the file against its national schema: ``valid``,
        ``invalid``, ``error``, ``pending``, or None when not validated)
    :returns: ``{"score", "level", "met", "applicable", "criteria": [{"id",
        "label", "description", "met", "facts"}]}``
    """
    results = []
    for criterion in criteria():
        met, facts = CHECKS[criterion["id"]](dataset, checks, today)
        results.append({**criterion, "met": met, "facts": facts})
    applicable = [r for r in results if r["met"] is not None]
    met_count = sum(1 for r in applicable if r["met"])
    score = round(100 * met_count / len(applicable)) if applicable else 0
    return {
        "score": score,
        "level": level(score),
        "met": met_count,
        "applicable": len(applicable),
        "criteria": results,
    }


def level(score: int) -> str:
    return next(name for threshold, name in LEVELS if score >= threshold)


def _text(dataset: Mapping[str, Any], key: str) -> str:
    value = dataset.get(key)
    return value.strip() if isinstance(value, str) else ""


def _resources(dataset: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in dataset.get("resources") or [] if r.get("state") != "deleted"]


def resource_label(resource: Mapping[str, Any]) -> str:
    name = resource.get("name")
    if name:
        return str(name)
    return str(resource.get("url") or "").rstrip("/").rsplit("/", 1)[-1]


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value)).date()
    except ValueError:
        return None


def last_update(dataset: Mapping[str, Any]) -> dt.date | None:
    """The date of the data: ``data_updated``, else the newest file's."""
    declared = _date(dataset.get("data_updated"))
    if declared:
        return declared
    files = [
        _date(r.get("last_modified")) or _date(r.get("created"))
        for r in _resources(dataset)
    ]
    return max((d for d in files if d), default=None)


def _description(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    length = len(_text(dataset, "notes"))
    return length >= DESCRIPTION_MIN_LENGTH, {
        "length": length,
        "minimum": DESCRIPTION_MIN_LENGTH,
    }


def _licence(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    return _text(dataset, "license_id") not in NO_LICENCE, {}


def _frequency(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    return _text(dataset, "frequency") not in ("", "unknown"), {}


def _temporal(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    return bool(_text(dataset, "temporal_start")), {}


def _spatial(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    codes = dataset.get("spatial_insee")
    if isinstance(codes, str):
        # The search index keeps the raw JSON text of the list.
        try:
            codes = json.loads(codes)
        except ValueError:
            codes = [codes]
    return bool(codes), {}


def _up_to_date(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    days = FREQUENCY_DAYS.get(_text(dataset, "frequency"))
    if days is None:
        return None, {}
    last = last_update(dataset)
    if last is None:
        return False, {"last_update": None}
    due = last + dt.timedelta(days=days + GRACE_DAYS)
    return today <= due, {"last_update": last.isoformat(), "due": due.isoformat()}


def _open_format(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    formats = [str(r.get("format") or "").strip().lower() for r in _resources(dataset)]
    open_formats = sorted({f for f in formats if f and f not in CLOSED_FORMATS})
    return bool(open_formats), {"formats": sorted({f.upper() for f in formats if f})}


def _reachable(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    resources = _resources(dataset)
    unreachable = [
        resource_label(r)
        for r in resources
        if checks.get(r.get("id") or "", {}).get("reachable") is False
    ]
    return bool(resources) and not unreachable, {
        "resources": len(resources),
        "unreachable": unreachable,
    }


def declared_schema(dataset: Mapping[str, Any], resource: Mapping[str, Any]) -> str:
    """The national schema a file follows: its own, else its dataset's."""
    return _text(resource, "schema_name") or _text(dataset, "schema_name")


# Why a file was not validated when the fault is not the file's.
OUT_OF_REACH = frozenset({"catalog_unreachable", "schema_unreachable"})


def _schema(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    followers = [r for r in _resources(dataset) if declared_schema(dataset, r)]
    if not followers and not _text(dataset, "schema_name"):
        return None, {}
    by_status: dict[str, list[str]] = {}
    for resource in followers:
        status = checks.get(resource.get("id") or "", {}).get("validation")
        if status:
            by_status.setdefault(status, []).append(resource_label(resource))
    out_of_reach = [
        r
        for r in followers
        if checks.get(r.get("id") or "", {}).get("reason") in OUT_OF_REACH
    ]
    if followers and len(out_of_reach) == len(followers):
        # Every file checked, none could be validated for a reason that says
        # nothing of it (the catalogue or the schema out of reach): the
        # criterion cannot be judged, it does not count.
        return None, {}
    facts = {
        "valid": by_status.get("valid", []),
        "invalid": by_status.get("invalid", []) + by_status.get("error", []),
        "pending": by_status.get("pending", []),
    }
    return bool(facts["valid"]) and not facts["invalid"] and not facts["pending"], facts


def _contact(dataset: Mapping[str, Any], checks: Checks, today: dt.date) -> Finding:
    return bool(_text(dataset, "contact_email")), {}


CHECKS: dict[str, Callable[[Mapping[str, Any], Checks, dt.date], Finding]] = {
    "description": _description,
    "licence": _licence,
    "frequency": _frequency,
    "temporal_coverage": _temporal,
    "spatial_coverage": _spatial,
    "up_to_date": _up_to_date,
    "open_format": _open_format,
    "resources_reachable": _reachable,
    "schema_conformance": _schema,
    "contact_point": _contact,
}
