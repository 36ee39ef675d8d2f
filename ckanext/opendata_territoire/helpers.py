"""Template helpers. Every public name starts with ``territoire_`` so that a
template author knows where it comes from."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def territoire_name() -> str:
    """Name of the territory the catalogue serves, as set in the configuration."""
    return tk.config["ckanext.territoire.name"]


def get_helpers() -> dict[str, Any]:
    return {"territoire_name": territoire_name}
