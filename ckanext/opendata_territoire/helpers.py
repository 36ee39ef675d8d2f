"""Template helpers. Every public name starts with ``territoire_`` so that a
template author knows where it comes from."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.licences import helpers as _licences
from ckanext.opendata_territoire.licences.helpers import *  # noqa: F403
from ckanext.opendata_territoire.metadata import choices

__all__ = ["territoire_choices", "territoire_name", *_licences.__all__]


def territoire_name() -> str:
    """Name of the territory the catalogue serves, as set in the configuration."""
    return tk.config["ckanext.territoire.name"]


def territoire_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming ``choices_helper``: the entries of the field's ``choice_list``
    (labels are gettext msgids; scheming translates them when rendering)."""
    return [
        {"value": str(entry["value"]), "label": entry["label"]}
        for entry in choices.choice_list(field["choice_list"])
    ]
