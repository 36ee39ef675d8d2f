"""The reuse mention of a dataset, the attribution the Licence Ouverte 2.0
asks of reusers (and the CRPA, art. L.322-1, without licence): the source
(at least the producer's name) and the date of the last update, followed by
the licence, e.g. "Source : Commune de Villard-de-Lans, mise à jour le 12
mars 2026, Licence Ouverte 2.0".

- source: the owner organization's title, else the dataset's author or
  maintainer, else the portal's title;
- date: the date of the data (``data_updated``), else the latest
  ``last_modified`` of its resources, else the last change of the dataset's
  metadata (``metadata_modified``); left out when none is a date;
- licence: the register's short title; left out for the generic entries
  (not specified, other...); a licence outside the register (kept by a
  harvested dataset) is named by its title or id.

The mention is written in a given language (French, English) from the
extension's own catalogue, so that RDF can carry both whatever the language
of the request.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from babel.support import NullTranslations, Translations

from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.licences import register

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
DOMAIN = "ckanext-opendata_territoire"


MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)

SOURCE = N_("Source: {source}")
UPDATED = N_("updated on {date}")
DATE = N_("{day} {month} {year}")
# The first day of a month is written apart ("1er mars 2026" in French).
FIRST_OF_MONTH = N_("1 {month} {year}")


@functools.cache
def translations(language: str) -> NullTranslations:
    """The extension's catalogue for ``language`` (English: the msgids)."""
    return Translations.load(str(I18N_DIR), [language.split("_")[0]], DOMAIN)


def _date(value: Any) -> dt.date | None:
    """The date of an ISO date or date-time text, or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def last_update(dataset: dict[str, Any]) -> dt.date | None:
    """The date of the last update of the data (see the module docstring)."""
    data_updated = _date(dataset.get("data_updated"))
    if data_updated:
        return data_updated
    resource_dates = [
        date
        for resource in dataset.get("resources") or []
        if (date := _date(resource.get("last_modified")))
    ]
    if resource_dates:
        return max(resource_dates)
    return _date(dataset.get("metadata_modified"))


def format_date(date: dt.date, language: str) -> str:
    """``12 mars 2026``, ``1er mars 2026`` / ``12 March 2026``."""
    gettext = translations(language).gettext
    month = gettext(MONTHS[date.month - 1])
    if date.day == 1:
        return gettext(FIRST_OF_MONTH).format(month=month, year=date.year)
    return gettext(DATE).format(day=date.day, month=month, year=date.year)


def _source(dataset: dict[str, Any]) -> str:
    organization = dataset.get("organization") or {}
    return str(
        organization.get("title")
        or dataset.get("author")
        or dataset.get("maintainer")
        or tk.config.get("ckan.site_title")
        or ""
    )


def _licence(dataset: dict[str, Any], language: str) -> str | None:
    licence_id = dataset.get("license_id")
    if not licence_id:
        return None
    entry = register.licence(licence_id)
    if entry is None:
        return str(dataset.get("license_title") or licence_id)
    return None if entry.generic else entry.short_title_in(language)


def reuse_mention(dataset: dict[str, Any], language: str) -> str:
    """The mention of a package_show dict, in ``language``."""
    gettext = translations(language).gettext
    parts = [gettext(SOURCE).format(source=_source(dataset))]
    date = last_update(dataset)
    if date:
        parts.append(gettext(UPDATED).format(date=format_date(date, language)))
    licence = _licence(dataset, language)
    if licence:
        parts.append(licence)
    return ", ".join(parts)
