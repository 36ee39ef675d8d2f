"""CKAN strings this extension translates again because CKAN's French
catalogue lacks them or reads oddly ("2 kibi" for a file size). Listed here
so that `make i18n` extracts them into our catalogue, which Flask-Babel
merges after CKAN's: our translation wins on every page."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where CKAN shows it."""
    return message


OVERRIDES = (
    N_("{kibibytes} KiB"),
    N_("{mebibytes} MiB"),
    N_("{gibibytes} GiB"),
    N_("{tebibytes} TiB"),
    N_("Dataset description:"),
)
