"""The one marker of translatable messages, for code that must not import
CKAN (the DECP library, decp/) as for the rest."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for translation (extracted by dev/i18n.py); it is
    translated where it is shown (``tk._``, or language.portal_text)."""
    return message
