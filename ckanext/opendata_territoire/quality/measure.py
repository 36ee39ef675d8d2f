"""The quality of a catalogue's datasets as they are now: their score with
what the checks of their files found, on today's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ckanext.opendata_territoire.quality import score
from ckanext.opendata_territoire.quality.model import ResourceValidation, validations

# Why a file could not be validated, when its publisher can do something
# about it; a catalogue or a schema out of reach says nothing of the file.
PUBLISHER_REASONS = frozenset(
    {
        "unreachable",
        "refused",
        "not_stored",
        "not_a_table",
        "unknown_schema",
        "unknown_version",
    }
)


def _validation(row: ResourceValidation) -> str | None:
    status = str(row.status)
    if status in ("valid", "invalid", "pending"):
        return status
    if status == "error" and row.reason in PUBLISHER_REASONS:
        return "error"
    return None


def resource_checks(dataset: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What the validation jobs found for the files of ``dataset``."""
    ids = [str(r["id"]) for r in dataset.get("resources") or [] if r.get("id")]
    return {
        resource_id: {
            "reachable": row.reachable,
            "validation": _validation(row),
            "reason": row.reason,
        }
        for resource_id, row in validations(ids).items()
    }


def quality_of(
    dataset: Mapping[str, Any], today: dt.date | None = None
) -> dict[str, Any]:
    """score.evaluate() of ``dataset`` (a package_show dict)."""
    return score.evaluate(dataset, resource_checks(dataset), today or dt.date.today())


def average_score(datasets: Iterable[Mapping[str, Any]]) -> int | None:
    """The rounded mean score of ``datasets``; None when there is none."""
    scores = [quality_of(dataset)["score"] for dataset in datasets]
    return round(sum(scores) / len(scores)) if scores else None
