"""The contracts to come (gathered by logic/action.py). The data is public:
anyone reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.future import listing, renewals
from ckanext.opendata_territoire.observatory import stats

__all__ = ["territoire_future_contracts"]


def _error(key: str, message: str) -> tk.ValidationError:
    return tk.ValidationError({key: [message]})


def filters_of(data_dict: dict[str, Any]) -> listing.Filters:
    """The checked parameters of the action."""
    today = dt.date.today()
    if data_dict.get("today") not in (None, ""):
        try:
            today = dt.date.fromisoformat(str(data_dict["today"]))
        except ValueError:
            raise _error("today", tk._("Must be a date (YYYY-MM-DD).")) from None
    months = listing.MONTHS_DEFAULT
    if data_dict.get("months") not in (None, ""):
        try:
            months = int(str(data_dict["months"]))
        except ValueError:
            months = 0
        if not 1 <= months <= listing.MONTHS_MAX:
            raise _error(
                "months",
                tk._("Must be a whole number from {low} to {high}.").format(
                    low=1, high=listing.MONTHS_MAX
                ),
            )
    found = listing.Filters(today=today, months=months, cpv=stats.divisions(data_dict))
    buyer = str(data_dict.get("buyer") or "").strip()
    if buyer:
        match = [
            o for o in stats.organizations().values() if buyer in (o["id"], o["name"])
        ]
        if not match:
            raise _error(
                "buyer",
                tk._("No buyer organization named {name}.").format(name=buyer),
            )
        found.organization_id = match[0]["id"]
    bands = [key for key, _low, _high in renewals.AMOUNT_BANDS]
    value = data_dict.get("amount_band")
    items = value if isinstance(value, list) else str(value or "").split(",")
    for band in (str(b).strip() for b in items):
        if not band:
            continue
        if band not in bands:
            raise _error(
                "amount_band",
                tk._("Must be one of: {values}.").format(values=", ".join(bands)),
            )
        found.bands.append(band)
    return found


@tk.side_effect_free
def territoire_future_contracts(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The renewals the procurement data foretells: the published contracts
    of the territory's buyers expected to end within the window, each with
    its likely re-tender quarter (estimated), and apart the contracts whose
    end cannot be computed, with the reason.

    :param months: the window, from 1 to 60 months (default 24)
    :param today: the start of the window, YYYY-MM-DD (default today)
    :param cpv: CPV divisions or codes (their two first digits count)
    :param buyer: a buyer organization (name or id)
    :param amount_band: ``small``, ``medium``, ``large``, ``very_large``
        (a list, or comma-separated)
    :returns: ``today``, ``until``, ``months``, ``filters``,
        ``amount_bands``, ``count`` and ``renewals`` (by expected end),
        ``unknown_count``, ``unknown_reasons`` and ``unknown`` (at most 100)
    """
    tk.check_access("territoire_future_contracts", context, data_dict)
    return listing.future_contracts(filters_of(data_dict))
