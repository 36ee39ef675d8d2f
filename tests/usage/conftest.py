"""The usage tests use the shared territory of tests/people.py, with a few
datasets: public ones in both communes and a private one in commune A."""

from __future__ import annotations

import pytest
from ckan.tests import helpers

from tests.factories import dataset_fields
from tests.people import territory

__all__ = ["catalogue", "territory"]


def create_dataset(territory, org: str, name: str, **fields) -> dict:
    sysadmin = territory["people"]["sysadmin"]["name"]
    return helpers.call_action(
        "package_create",
        context={"user": sysadmin},
        owner_org=territory[org]["id"],
        name=name,
        title=fields.pop("title", name.replace("-", " ").capitalize()),
        **dataset_fields(**fields),
    )


@pytest.fixture
def catalogue(territory):
    """Commune A (Engins) has a public and a private dataset, commune B
    (Villard-de-Lans) a public one."""
    territory["datasets"] = {
        "budget_a": create_dataset(territory, "a", "budget-engins"),
        "private_a": create_dataset(territory, "a", "brouillon-engins", private=True),
        "menus_b": create_dataset(territory, "b", "menus-villard"),
    }
    return territory


def call_as(territory, role: str | None, action: str, **data):
    user = territory["people"][role]["name"] if role else ""
    return helpers.call_action(
        action, context={"user": user, "ignore_auth": False}, **data
    )
