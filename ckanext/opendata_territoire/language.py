"""Texts in the portal's language (``ckan.locale_default``), whatever the
request: the content of the procurement datasets and the messages stored for
later readers (harvest errors) are written in it, even by a harvest consumer
that runs outside any web request, or by an English API call."""

from __future__ import annotations

import functools
from pathlib import Path

import ckan.plugins.toolkit as tk
from babel.support import NullTranslations, Translations

I18N_DIR = Path(__file__).resolve().parent / "i18n"
DOMAIN = "ckanext-opendata_territoire"


@functools.cache
def _translations(locale: str) -> NullTranslations:
    return Translations.load(str(I18N_DIR), [locale], DOMAIN)


def portal_text(message: str) -> str:
    """``message`` (an English msgid) in the portal's default language."""
    locale = str(tk.config.get("ckan.locale_default") or "en")
    return _translations(locale).gettext(message)
