"""Test data that passes the territory's dataset schema."""

from __future__ import annotations

from typing import Any

from ckan.tests import factories


def dataset_fields(**overrides: Any) -> dict[str, Any]:
    """The least a public dataset needs under our schema: a licence and the
    personal-data statement."""
    return {"license_id": "lov2", "personal_data": "none", **overrides}


def dataset(**overrides: Any) -> dict[str, Any]:
    return factories.Dataset(**dataset_fields(**overrides))
