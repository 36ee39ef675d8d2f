"""The public page "Marchés à venir" (``/marches-a-venir``) for the
territory's firms, its Atom feed, iCalendar file and CSV file, and the page
of a past contract a renewal renews.

Everything comes from the action ``territoire_future_contracts`` (the
renewals; the EPCI's forecast, in ``forecast``, once it gives one), called
with the page's GET parameters: the filters make stable URLs that can be
shared and subscribed to.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.opendata_territoire.future import contract, feeds, renewals
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.observatory import cpv, stats
from ckanext.opendata_territoire.observatory.views import euros

blueprint = Blueprint("territoire_future", __name__)

WINDOWS = (12, 24)
# Entries shown per quarter on the whole page; the quarter's own page
# (``?quarter=2027-Q1``) shows them all.
QUARTER_SHOWN = 12

# Shortcuts for the trades of the territory's firms: the CPV divisions of
# each (most of them micro-firms of building and services).
TRADES: list[tuple[str, str, tuple[str, ...]]] = [
    ("travaux", N_("Works"), ("45",)),
    ("entretien", N_("Maintenance, repair, installation"), ("50", "51")),
    ("etudes", N_("Architecture and engineering"), ("71",)),
    ("espaces-verts", N_("Green spaces, waste, cleaning"), ("77", "90")),
    ("restauration", N_("Food and catering"), ("15", "55")),
    ("transport", N_("Transport"), ("60",)),
    ("informatique", N_("IT"), ("30", "48", "72")),
]


def user_context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def _values(name: str) -> list[str]:
    """A parameter given several times or comma-separated."""
    found: list[str] = []
    for value in tk.request.args.getlist(name):
        for part in str(value).split(","):
            if part.strip() and part.strip() not in found:
                found.append(part.strip())
    return found


def params() -> dict[str, Any]:
    """The filters of the request, in a fixed form (sorted divisions, bands
    in their order): the same filters make the same URL."""
    args = tk.request.args
    found: dict[str, Any] = {}
    divisions = sorted(
        {"".join(c for c in v if c.isdigit())[:2] or v for v in _values("cpv")}
    )
    if divisions:
        found["cpv"] = divisions
    order = [key for key, _low, _high in renewals.AMOUNT_BANDS]
    bands = _values("amount_band")
    if bands:
        found["amount_band"] = sorted(
            bands, key=lambda b: order.index(b) if b in order else len(order)
        )
    for key in ("buyer", "months", "today"):
        value = str(args.get(key) or "").strip()
        if value:
            found[key] = value
    return found


def _call(filters: dict[str, Any]) -> dict[str, Any]:
    return dict(tk.get_action("territoire_future_contracts")(user_context(), filters))


def contact_text(contact: Any) -> str:
    """A forecast entry's contact ({name, email, phone}, each optional) as
    one line for the page, the feed, the calendar and the CSV."""
    if isinstance(contact, dict):
        return " · ".join(
            str(contact[key]) for key in ("name", "email", "phone") if contact.get(key)
        )
    return str(contact or "")


def entries(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The renewals and the forecast in one list, by quarter; in a quarter,
    the buyers' own forecast first, then the renewals by expected end."""
    found = [{**r, "source": feeds.RENEWAL} for r in result.get("renewals", [])]
    found += [
        {**f, "source": feeds.FORECAST, "contact": contact_text(f.get("contact"))}
        for f in result.get("forecast", [])
    ]
    found.sort(
        key=lambda e: (
            str(e.get("quarter") or ""),
            e["source"] != feeds.FORECAST,
            str(e.get("expected_end") or ""),
            str(e.get("buyer_title") or ""),
            str(e.get("uid") or e.get("id") or ""),
        )
    )
    return found


def quarters(
    items: list[dict[str, Any]], today: dt.date, until: dt.date
) -> list[dict[str, Any]]:
    """Every quarter of the window, with its entries (none: said so)."""
    found: dict[str, dict[str, Any]] = {}
    day = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    while day <= until:
        found[renewals.quarter(day)] = {
            "key": renewals.quarter(day),
            "label": renewals.quarter_label(day),
            "entries": [],
        }
        day = renewals.add_months(day, 3)
    for item in items:
        key = str(item.get("quarter") or "")
        if key not in found:
            start = feeds.quarter_start(key)
            found[key] = {
                "key": key,
                "label": item.get("quarter_label")
                or (renewals.quarter_label(start) if start else key),
                "entries": [],
            }
        found[key]["entries"].append(item)
    return [found[key] for key in sorted(found)]


def buyers() -> list[dict[str, str]]:
    return sorted(stats.organizations().values(), key=lambda o: o["title"])


def contract_url(uid: str, qualified: bool = False) -> str:
    return str(
        tk.url_for("territoire_future.contract_page", uid=uid, qualified=qualified)
    )


def link(entry: dict[str, Any]) -> str:
    """Where an entry is read: a renewal's past contract, a forecast
    entry's place on the page of its buyer."""
    if entry.get("source") == feeds.FORECAST:
        url = tk.url_for(
            "territoire_future.page", buyer=entry.get("buyer"), qualified=True
        )
        return f"{url}#prevision-{entry.get('id')}"
    return contract_url(str(entry["uid"]), qualified=True)


def _without(filters: dict[str, Any], key: str, value: str | None = None) -> dict:
    """The filters less one (or one of its values)."""
    found = dict(filters)
    if value is None or not isinstance(found.get(key), list):
        found.pop(key, None)
    else:
        found[key] = [v for v in found[key] if v != value]
        if not found[key]:
            found.pop(key)
    return found


def subtitle(result: dict[str, Any]) -> str:
    """What the filters select, in words (titles of the feed and calendar)."""
    parts = []
    chosen = result.get("filters") or {}
    if chosen.get("cpv"):
        parts.append(", ".join(cpv.label(d) for d in chosen["cpv"]))
    if chosen.get("buyer"):
        titles = {o["name"]: o["title"] for o in stats.organizations().values()}
        parts.append(titles.get(chosen["buyer"], chosen["buyer"]))
    bands = {b["key"]: b["label"] for b in result.get("amount_bands", [])}
    if chosen.get("amount_band"):
        parts.append(", ".join(bands.get(b, b) for b in chosen["amount_band"]))
    heading = tk._("Upcoming public contracts")
    return heading + (" — " + " · ".join(parts) if parts else "")


def field_errors(error: tk.ValidationError) -> dict[str, str]:
    """A validation error's messages, one line a field (for the forms and
    the filters)."""
    return {
        key: " ".join(str(m) for m in (value if isinstance(value, list) else [value]))
        for key, value in error.error_dict.items()
    }


def _result_or_abort(filters: dict[str, Any]) -> dict[str, Any]:
    try:
        return _call(filters)
    except tk.ValidationError as error:
        return tk.abort(
            400, "; ".join(f"{k}: {v}" for k, v in field_errors(error).items())
        )


def _feed_args(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters the page's subscription links keep: not a fixed start
    (a feed follows today; a feed's own URL may still fix it)."""
    return {k: v for k, v in filters.items() if k not in ("today", "quarter")}


@blueprint.route("/marches-a-venir")
def page() -> Any:
    filters = params()
    errors: dict[str, str] = {}
    try:
        result = _call(filters)
    except tk.ValidationError as error:
        errors = field_errors(error)
        filters = {}
        result = _call(filters)
    items = entries(result)
    today = dt.date.fromisoformat(result["today"])
    until = dt.date.fromisoformat(result["until"])
    shown = quarters(items, today, until)
    quarter = str(tk.request.args.get("quarter") or "")
    if quarter and any(q["key"] == quarter for q in shown):
        shown = [q for q in shown if q["key"] == quarter]
    else:
        quarter = ""
    chosen = result["filters"]
    bands = {b["key"]: b["label"] for b in result["amount_bands"]}
    active = []  # (label, the URL without it)
    for division in chosen["cpv"]:
        active.append(
            (f"{division} — {cpv.label(division)}", _without(filters, "cpv", division))
        )
    if chosen["buyer"]:
        title = next(
            (b["title"] for b in buyers() if b["name"] == chosen["buyer"]),
            chosen["buyer"],
        )
        active.append((title, _without(filters, "buyer")))
    for band in chosen["amount_band"]:
        active.append((bands[band], _without(filters, "amount_band", band)))
    reasons = {
        key: (tk._(label), result["unknown_reasons"].get(key, 0))
        for key, label in renewals.REASONS.items()
        if result["unknown_reasons"].get(key)
    }
    subscribe = _feed_args(filters)
    return tk.render(
        "future/index.html",
        {
            "result": result,
            "filters": filters,
            "chosen": chosen,
            "errors": errors,
            "quarters": shown,
            "quarter": quarter,
            "quarter_shown": QUARTER_SHOWN,
            "count": len(items),
            "forecast_count": sum(1 for i in items if i["source"] == feeds.FORECAST),
            "active": active,
            "reasons": reasons,
            "windows": WINDOWS,
            "trades": [
                {
                    "key": key,
                    "label": tk._(label),
                    "divisions": list(divisions),
                    "args": {**_without(filters, "cpv"), "cpv": sorted(divisions)},
                    "active": chosen["cpv"] == sorted(divisions),
                }
                for key, label, divisions in TRADES
            ],
            "divisions": sorted(cpv.DIVISIONS.items()),
            "buyers": buyers(),
            "bands": bands,
            "subscribe": subscribe,
            "feed_url": tk.url_for("territoire_future.feed", **subscribe),
            "calendar_url": tk.url_for("territoire_future.calendar", **subscribe),
            "csv_url": tk.url_for("territoire_future.csv", **filters),
            "euros": euros,
            "long_date": feeds.long_date,
            "offers_text": feeds.offers_text,
        },
    )


@blueprint.route("/marches-a-venir/flux.atom")
def feed() -> Response:
    filters = params()
    result = _result_or_abort(filters)
    today = dt.date.fromisoformat(result["today"])
    body = feeds.atom(
        entries(result),
        subtitle(result),
        str(tk.url_for("territoire_future.feed", qualified=True, **filters)),
        str(tk.url_for("territoire_future.page", qualified=True, **filters)),
        link,
        today,
    )
    return Response(body, mimetype="application/atom+xml")


@blueprint.route("/marches-a-venir/calendrier.ics")
def calendar() -> Response:
    filters = params()
    result = _result_or_abort(filters)
    body = feeds.calendar(
        entries(result),
        subtitle(result),
        link,
        dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="marches-a-venir.ics"'},
    )


@blueprint.route("/marches-a-venir.csv")
def csv() -> Response:
    filters = params()
    result = _result_or_abort(filters)
    parts = ["marches-a-venir", f"{result['months']}-mois"]
    chosen = result["filters"]
    if chosen["cpv"]:
        parts += ["cpv", *chosen["cpv"]]
    if chosen["buyer"]:
        parts.append(chosen["buyer"])
    parts += chosen["amount_band"]
    bands = {b["key"]: b["label"] for b in result["amount_bands"]}
    return feeds.csv_response(
        "-".join(parts)[:180] + ".csv", entries(result), bands, link
    )


@blueprint.route("/marches-a-venir/contrat/<path:uid>")
def contract_page(uid: str) -> Any:
    found = contract.past_contract(uid)
    if found is None:
        return tk.abort(
            404,
            tk._(
                "No published contract of the territory has this identifier "
                "(its buyer may have unpublished its procurement data)."
            ),
        )
    return tk.render(
        "future/contract.html",
        {
            "contract": found,
            "euros": euros,
            "long_date": feeds.long_date,
            "offers_text": feeds.offers_text,
            "bands": {key: tk._(label) for key, label in renewals.BAND_LABELS.items()},
            "reasons": {key: tk._(label) for key, label in renewals.REASONS.items()},
        },
    )
