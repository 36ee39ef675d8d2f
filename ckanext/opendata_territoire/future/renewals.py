"""The renewals foretold by the data: when each contract of the territory's
buyers should end, hence when it is likely to be tendered again.

Rules (README, "Contracts to come"):

- The expected end is the start plus the current duration in months
  (``dureeMois`` of the DataStore row: the DECP import applies the
  modifications that change it, in date order, see decp/model.py). The start
  is the notification date of a marché; for a concession, its start of
  execution when published, else its signature date.
- A framework agreement (nature "Accord-cadre", or technique "Accord-cadre"
  in the 2022 format) publishes its maximum duration, renewals included: its
  expected end is the end of that maximum duration.
- The likely re-tender is the quarter of the expected end: a buyer tenders
  again before the contract runs out, usually in the months before, so the
  quarter is the latest date to watch, not an announcement.
- Nothing is guessed: a contract without notification date, without a
  duration ("NC" included), or with a duration outside the bounds below is
  listed with its reason, never given a date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.opendata_territoire.i18n_markers import N_

# Durations accepted, in months. A marché (framework agreements included:
# 4 years at most, 8 for defence) beyond 20 years is a typing accident; a
# concession may last long (water, parkings) but not beyond 30 years here.
MIN_MONTHS = 1
MAX_MONTHS_MARCHE = 240
MAX_MONTHS_CONCESSION = 360

# Why an expected end cannot be computed.
NO_DATE = "no_notification_date"
NO_DURATION = "no_duration"
NOT_COMMUNICATED = "not_communicated"
INVALID_DURATION = "invalid_duration"
ABSURD_DURATION = "absurd_duration"


REASONS: dict[str, str] = {
    NO_DATE: N_("no notification date"),
    NO_DURATION: N_("no duration published"),
    NOT_COMMUNICATED: N_('duration not communicated ("NC")'),
    INVALID_DURATION: N_("duration not a whole number of months of at least 1"),
    ABSURD_DURATION: N_("duration beyond the accepted bounds"),
}

CONCESSION_TYPE = "Contrat de concession"
MARCHE = "marche"
FRAMEWORK = "framework_agreement"
CONCESSION = "concession"


@dataclass
class End:
    """The expected end of a contract, or why it has none."""

    kind: str  # MARCHE, FRAMEWORK or CONCESSION
    start: dt.date | None = None
    months: int | None = None
    end: dt.date | None = None
    reason: str | None = None


def kind_of(row: dict[str, Any]) -> str:
    nature = str(row.get("nature") or "").casefold()
    if (
        row.get("type") == CONCESSION_TYPE
        or "concession" in nature
        or ("délégation de service public" in nature)
    ):
        return CONCESSION
    techniques = str(row.get("techniques") or "").casefold()
    if "accord-cadre" in nature or "accord cadre" in nature:
        return FRAMEWORK
    if "accord-cadre" in techniques or "accord cadre" in techniques:
        return FRAMEWORK
    return MARCHE


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` plus ``months``, on the same day of the month, or the last
    day of a shorter month (31 January + 1 month: 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _months(value: Any, maximum: int) -> tuple[int | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, NO_DURATION
    if isinstance(value, str) and value.strip().upper() == "NC":
        return None, NOT_COMMUNICATED
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, INVALID_DURATION
    if number != int(number) or number < MIN_MONTHS:
        return None, INVALID_DURATION
    if number > maximum:
        return None, ABSURD_DURATION
    return int(number), None


def expected_end(row: dict[str, Any]) -> End:
    """The expected end of the contract of a DataStore row (decp/model.py
    columns), or the reason it cannot be computed."""
    kind = kind_of(row)
    start = _date(row.get("dateNotification"))
    if kind == CONCESSION:
        start = _date(row.get("dateDebutExecution")) or start
    maximum = MAX_MONTHS_CONCESSION if kind == CONCESSION else MAX_MONTHS_MARCHE
    months, reason = _months(row.get("dureeMois"), maximum)
    found = End(kind=kind, start=start, months=months)
    if start is None:
        found.reason = NO_DATE
    elif reason is not None:
        found.reason = reason
    else:
        assert months is not None
        found.end = add_months(start, months)
    return found


def quarter(day: dt.date) -> str:
    """The quarter of a date, as ``2026-Q3``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_label(day: dt.date) -> str:
    number = (day.month - 1) // 3 + 1
    return tk._("Quarter {number} of {year}").format(number=number, year=day.year)


# Amount bands (current amount, euros excl. VAT as published), [low, high):
# under 40,000 EUR a buyer may contract without publicity or competition;
# 221,000 EUR is about the European threshold for a local authority's
# supplies and services (2024-2025); beyond 1 million, the large works.
AMOUNT_BANDS: list[tuple[str, float, float | None]] = [
    ("small", 0, 40_000),
    ("medium", 40_000, 221_000),
    ("large", 221_000, 1_000_000),
    ("very_large", 1_000_000, None),
]
BAND_LABELS: dict[str, str] = {
    "small": N_("under 40,000 EUR"),
    "medium": N_("40,000 to 221,000 EUR"),
    "large": N_("221,000 EUR to 1 million EUR"),
    "very_large": N_("1 million EUR and more"),
}


def amount_band(amount: float | None) -> str | None:
    if amount is None or amount < 0:
        return None
    for key, low, high in AMOUNT_BANDS:
        if amount >= low and (high is None or amount < high):
            return key
    return None
