"""The controlled lists of choices.yaml: read once, used by the schemas (the
``territoire_choices`` helper), the validators and the search facets."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

CHOICES_FILE = Path(__file__).with_name("choices.yaml")


@functools.cache
def _lists() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load(CHOICES_FILE.read_text(encoding="utf-8"))


def choice_list(name: str) -> list[dict[str, Any]]:
    """The entries of one list: dicts with ``value``, ``label`` and extras."""
    try:
        return _lists()[name]
    except KeyError:
        raise KeyError(f"no choice list named {name!r} in {CHOICES_FILE}") from None


@functools.cache
def values(name: str) -> list[str]:
    return [str(entry["value"]) for entry in choice_list(name)]


def label(name: str, value: str) -> str | None:
    """The (untranslated) label of ``value`` in list ``name``, if it is there."""
    for entry in choice_list(name):
        if str(entry["value"]) == value:
            return entry["label"]
    return None
