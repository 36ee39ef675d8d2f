"""The quality of a catalogue's datasets as they are now: their score with
what the checks of their files found, on today's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ckanext.opendata_territoire.quality import score


def quality_of(
    dataset: Mapping[str, Any], today: dt.date | None = None
) -> dict[str, Any]:
    """score.evaluate() of ``dataset`` (a package_show dict)."""
    return score.evaluate(dataset, {}, today or dt.date.today())


def average_score(datasets: Iterable[Mapping[str, Any]]) -> int | None:
    """The rounded mean score of ``datasets``; None when there is none."""
    scores = [quality_of(dataset)["score"] for dataset in datasets]
    return round(sum(scores) / len(scores)) if scores else None
