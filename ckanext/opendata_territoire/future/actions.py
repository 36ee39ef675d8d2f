"""The contracts to come and the forecast of planned purchases (registered
with @registry.action). The data is public: anyone reads them; an organization's
admins edit its forecast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.future import (
    entries,
    forecast,
    listing,
    renewals,
    spreadsheet,
)
from ckanext.opendata_territoire.observatory import stats


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


@registry.action
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


# The forecast of planned purchases


def _organization(data_dict: dict[str, Any], required: bool = True) -> Any:
    reference = data_dict.get("organization")
    if not reference:
        if required:
            raise _error("organization", tk._("Missing value"))
        return None
    org = entries.organization(reference)
    if org is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return org


def _entry(data_dict: dict[str, Any]) -> Any:
    entry = entries.get(data_dict.get("id"))
    if entry is None:
        raise tk.ObjectNotFound(tk._("Planned purchase not found"))
    return entry


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    checked = forecast.check(values)
    if checked.errors:
        raise tk.ValidationError(
            {key: [message] for key, message in checked.errors.items()}
        )
    return checked.fields


@registry.action
@tk.side_effect_free
def territoire_forecast_list(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The planned purchases of the territory's organizations, by quarter.

    :param organization: only this organization's (name or id; optional)
    :returns: ``count`` and ``entries`` (each as in
        ``territoire_future_contracts``' ``forecast``)
    """
    tk.check_access("territoire_forecast_list", context, data_dict)
    org = _organization(data_dict, required=False)
    found = [entries.as_dict(e) for e in entries.listed(org)]
    return {"count": len(found), "entries": found}


@registry.action
def territoire_forecast_create(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Add a planned purchase to an organization's forecast, then publish
    the forecast again.

    :param organization: the buyer organization (name or id)
    :param object: what will be bought (at most 300 characters)
    :param cpv_division: the CPV division (2 digits) or a CPV code
    :param amount_band: ``small``, ``medium``, ``large`` or ``very_large``
        (or an estimated amount in euros)
    :param quarter: the planned quarter, ``2026-Q3`` or ``2026-T3`` (or
        ``1`` to ``4`` with ``year``)
    :param year: the year, when ``quarter`` is only its number
    :param procedure: the expected procedure (one of the DECP's; optional)
    :param contact_name: whom to ask (optional)
    :param contact_email: their e-mail (optional, checked)
    :param contact_phone: their phone (optional)
    :param notes: notes for the firms (optional, at most 2,000 characters)
    :returns: the entry
    """
    tk.check_access("territoire_forecast_create", context, data_dict)
    org = _organization(data_dict)
    entry = entries.create(org, _checked(data_dict))
    return entries.as_dict(entry, org)


@registry.action
def territoire_forecast_update(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Change a planned purchase (the fields given; the others stay), then
    publish the forecast again.

    :param id: the entry's id
    :returns: the entry
    """
    tk.check_access("territoire_forecast_update", context, data_dict)
    entry = _entry(data_dict)
    values = entries.stored_values(entry)
    given = {k: v for k, v in data_dict.items() if k in forecast.LABELS}
    if "quarter" in given and "year" not in given:
        values.pop("year", None)
    values.update(given)
    entry = entries.update(entry, _checked(values))
    return entries.as_dict(entry)


@registry.action
def territoire_forecast_delete(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Remove a planned purchase, then publish the forecast again.

    :param id: the entry's id
    """
    tk.check_access("territoire_forecast_delete", context, data_dict)
    entry = _entry(data_dict)
    found = entries.as_dict(entry)
    entries.delete(entry)
    return {"id": found["id"], "deleted": True}


@registry.action
def territoire_forecast_import(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Import planned purchases from a spreadsheet (CSV, XLSX or ODS, first
    sheet, a header row; headers matched whatever their accents and case).
    The good rows are kept; with ``replace`` they replace the whole forecast
    (unless no row is good: then nothing changes).

    :param organization: the buyer organization (name or id)
    :param upload: the file (multipart)
    :param mode: ``add`` (default) or ``replace``
    :returns: ``mode``, ``rows`` (read), ``imported``, ``problems`` (each
        ``row``, ``column``, ``value``, ``message``)
    """
    tk.check_access("territoire_forecast_import", context, data_dict)
    org = _organization(data_dict)
    mode = str(data_dict.get("mode") or "add")
    if mode not in spreadsheet.MODES:
        raise _error(
            "mode",
            tk._("Must be one of: {values}.").format(
                values=", ".join(spreadsheet.MODES)
            ),
        )
    upload = data_dict.get("upload")
    read = getattr(upload, "read", None)
    if read is None:
        raise _error("upload", tk._("Choose a CSV, XLSX or ODS file."))
    result = spreadsheet.read_and_check(
        str(getattr(upload, "filename", "") or ""), read()
    )
    imported = 0
    if result.entries:
        imported = entries.add_all(
            org, [fields for _row, fields in result.entries], replace=mode == "replace"
        )
    return {
        "mode": mode,
        "rows": result.rows,
        "imported": imported,
        "problems": [p.as_dict() for p in result.problems],
    }
