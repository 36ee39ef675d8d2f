"""The contracts to come as files to subscribe to or to open elsewhere: an
Atom feed (feedgen), an iCalendar file (icalendar) and a CSV file for
French spreadsheets (csv_export.py), each made from the entries of the page
(future/views.py: the action's renewals and forecast, in one list).

Identifiers stay the same from one download to the next, so that a feed
reader or a calendar updates an entry instead of adding it again: a tag URI
(RFC 4151) made of the portal's host and the contract's uid (the buyer's
SIRET and the contract's id, unique in the national DECP) or the forecast
entry's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import ckan.plugins.toolkit as tk
import icalendar
from feedgen.feed import FeedGenerator
from flask import Response
from flask_babel import format_date

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.observatory.views import euros

RENEWAL = "renewal"
FORECAST = "forecast"
# The year the tag URIs were minted (RFC 4151): fixed, as the ids must not
# change.
TAG_YEAR = 2026

# Links of an entry: (entry) -> absolute URL.
Link = Callable[[dict[str, Any]], str]


def host() -> str:
    return urlsplit(str(tk.config.get("ckan.site_url") or "")).hostname or "localhost"


def entry_key(entry: dict[str, Any]) -> str:
    """What identifies an entry: its kind and its contract uid or forecast id."""
    if entry.get("source") == FORECAST:
        return f"prevision:{quote(str(entry['id']), safe='')}"
    return f"renouvellement:{quote(str(entry['uid']), safe='')}"


def tag(entry: dict[str, Any]) -> str:
    return f"tag:{host()},{TAG_YEAR}:marches-a-venir:{entry_key(entry)}"


def quarter_start(quarter: str) -> dt.date | None:
    """The first day of a quarter written ``2027-Q1``."""
    year, _, number = quarter.partition("-Q")
    if not (year.isdigit() and number in ("1", "2", "3", "4")):
        return None
    return dt.date(int(year), 3 * int(number) - 2, 1)


def entry_date(entry: dict[str, Any]) -> dt.date | None:
    """The date an entry is expected: a renewal's expected end, a forecast
    entry's quarter start."""
    if entry.get("expected_end"):
        return dt.date.fromisoformat(str(entry["expected_end"]))
    return quarter_start(str(entry.get("quarter") or ""))


def long_date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return str(format_date(day, "long"))


def offers_text(entry: dict[str, Any]) -> str:
    offers = entry.get("offers")
    if offers is None:
        return tk._("number of offers not published")
    if offers == 1:
        return tk._("1 single offer last time")
    return tk._("{count} offers received").format(count=offers)


def title(entry: dict[str, Any]) -> str:
    """A French title: the quarter, the object, the buyer."""
    return "{quarter} — {object} ({buyer})".format(
        quarter=entry.get("quarter_label") or "",
        object=entry.get("object") or tk._("Object not given"),
        buyer=entry.get("buyer_title") or entry.get("buyer") or "",
    )


def summary(entry: dict[str, Any]) -> str:
    """The entry in a few plain sentences, for feed readers and calendars."""
    lines: list[str] = []
    domain = entry.get("cpv_label")
    if entry.get("source") == FORECAST:
        lines.append(
            tk._("Planned by the buyer for {quarter}.").format(
                quarter=entry.get("quarter_label") or ""
            )
        )
        if domain:
            lines.append(tk._("Domain: {domain}.").format(domain=domain))
        if entry.get("amount_band_label"):
            lines.append(
                tk._("Estimated amount: {band}.").format(
                    band=entry["amount_band_label"]
                )
            )
        if entry.get("procedure"):
            lines.append(
                tk._("Procedure: {procedure}.").format(procedure=entry["procedure"])
            )
        if entry.get("contact"):
            lines.append(tk._("Contact: {contact}.").format(contact=entry["contact"]))
        if entry.get("notes"):
            lines.append(str(entry["notes"]))
        return "\n".join(lines)
    lines.append(
        tk._(
            "Estimated end: {date} (end computed from the published notification "
            "date and duration). The buyer usually tenders again in the months "
            "before."
        ).format(date=long_date(entry.get("expected_end")))
    )
    if domain:
        lines.append(tk._("Domain: {domain}.").format(domain=domain))
    lines.append(
        tk._(
            "Past contract: {object}, by {buyer}, notified on {start} for "
            "{months} months; amount {amount}; titulaire(s): {titulaires}; {offers}."
        ).format(
            object=entry.get("object") or tk._("Object not given"),
            buyer=entry.get("buyer_title") or "",
            start=long_date(entry.get("start")),
            months=entry.get("duration_months") or "—",
            amount=euros(entry.get("amount")),
            titulaires=", ".join(entry.get("titulaires") or []) or "—",
            offers=offers_text(entry),
        )
    )
    return "\n".join(lines)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _updated(entry: dict[str, Any], today: dt.date) -> dt.datetime:
    """A date that does not move between downloads: a renewal's
    notification (its data is that of the past contract), a forecast
    entry's own update date when it gives one, else today."""
    for key in ("start", "updated", "modified"):
        value = entry.get(key)
        if value:
            try:
                return _midnight(dt.date.fromisoformat(str(value)[:10]))
            except ValueError:
                continue
    return _midnight(today)


def atom(
    entries: Sequence[dict[str, Any]],
    feed_title: str,
    self_url: str,
    page_url: str,
    link: Link,
    today: dt.date,
) -> bytes:
    """The Atom feed of the entries; its id is its own URL (the filters in
    a fixed order), each entry's id its tag URI."""
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(feed_title)
    feed.subtitle(
        tk._(
            "The contracts the territory's buyers should tender again "
            "(estimated from their past contracts) and their planned purchases."
        )
    )
    feed.language("fr")
    feed.author({"name": str(tk.config.get("ckan.site_title") or host())})
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    updated = [_updated(entry, today) for entry in entries]
    feed.updated(max(updated) if updated else _midnight(today))
    # feedgen puts the last added entry first: added in reverse, the feed
    # reads in the page's order.
    for entry, when in reversed(list(zip(entries, updated, strict=True))):
        item = feed.add_entry()
        item.id(tag(entry))
        item.title(title(entry))
        item.link(href=link(entry), rel="alternate", type="text/html")
        item.updated(when)
        item.summary(summary(entry))
        if entry.get("cpv_division"):
            item.category(
                term=str(entry["cpv_division"]), label=entry.get("cpv_label") or None
            )
    return bytes(feed.atom_str(pretty=True))


def calendar(
    entries: Sequence[dict[str, Any]], name: str, link: Link, now: dt.datetime
) -> bytes:
    """One all-day event per entry: a renewal on its expected end, a
    forecast entry on the first day of its quarter."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ckanext-opendata-territoire//Marchés à venir//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for entry in entries:
        day = entry_date(entry)
        if day is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"{entry_key(entry)}@{host()}")
        event.add("dtstamp", now)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if entry.get("source") == FORECAST:
            heading = tk._("Planned purchase: {object} ({buyer})")
        else:
            heading = tk._("Estimated end: {object} ({buyer})")
        event.add(
            "summary",
            heading.format(
                object=entry.get("object") or tk._("Object not given"),
                buyer=entry.get("buyer_title") or entry.get("buyer") or "",
            ),
        )
        event.add("description", summary(entry) + "\n" + link(entry))
        event.add("url", link(entry))
        if entry.get("cpv_label"):
            event.add("categories", [str(entry["cpv_label"])])
        cal.add_component(event)
    return bytes(cal.to_ical())


CSV_HEADER = [
    "source",
    "trimestre",
    "date_prevue",
    "estime",
    "acheteur",
    "objet",
    "division_cpv",
    "domaine",
    "tranche_montant",
    "procedure",
    "montant_precedent",
    "titulaires_precedents",
    "offres_recues_precedentes",
    "offre_unique",
    "notification_precedente",
    "duree_mois",
    "contact",
    "identifiant",
    "lien",
]


def csv_rows(
    entries: Sequence[dict[str, Any]], bands: dict[str, str], link: Link
) -> list[list[Any]]:
    rows = []
    for entry in entries:
        forecast = entry.get("source") == FORECAST
        day = entry_date(entry)
        rows.append(
            [
                "prevision" if forecast else "renouvellement",
                entry.get("quarter") or "",
                day.isoformat() if day else "",
                not forecast,
                entry.get("buyer_title") or entry.get("buyer") or "",
                entry.get("object") or "",
                entry.get("cpv_division") or "",
                entry.get("cpv_label") or "",
                entry.get("amount_band_label")
                or bands.get(str(entry.get("amount_band")), ""),
                entry.get("procedure") or "",
                "" if forecast or entry.get("amount") is None else entry["amount"],
                "" if forecast else " ; ".join(entry.get("titulaires") or []),
                "" if entry.get("offers") is None else entry["offers"],
                "" if forecast else bool(entry.get("single_offer")),
                "" if forecast else entry.get("start") or "",
                "" if forecast else entry.get("duration_months") or "",
                entry.get("contact") or "",
                entry.get("id") if forecast else entry.get("uid"),
                link(entry),
            ]
        )
    return rows


def csv_response(
    filename: str,
    entries: Sequence[dict[str, Any]],
    bands: dict[str, str],
    link: Link,
) -> Response:
    return csv_export.response(filename, CSV_HEADER, csv_rows(entries, bands, link))
