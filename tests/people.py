"""A small territory: the EPCI and two communes, with people in every role.

The ``territory`` fixture (and ``module_territory``, made once for a module
that only reads) is registered for every test by tests/conftest.py; tests
import ``ROLES``, ``user_of`` and ``headers`` from here."""

from __future__ import annotations

import pytest
from ckan.tests import factories

from tests import snapshots

# The roles of the auth matrices, as named in the territory fixture.
ROLES = [
    "anonymous",
    "other",
    "member_a",
    "editor_a",
    "admin_a",
    "editor_b",
    "admin_b",
    "epci_admin",
    "sysadmin",
]


def make_territory() -> dict:
    """The EPCI, its two communes and the people of every role."""
    people = {
        role: factories.UserWithToken()
        for role in (
            "member_a",
            "editor_a",
            "admin_a",
            "editor_b",
            "admin_b",
            "epci_admin",
            "other",
        )
    }
    people["sysadmin"] = factories.SysadminWithToken()
    epci = factories.Organization(
        name="ccmv",
        title="CC du Massif du Vercors",
        collectivite_type="epci",
        siren="243801024",
        users=[{"name": people["epci_admin"]["name"], "capacity": "admin"}],
    )
    commune_a = factories.Organization(
        name="engins",
        title="Engins",
        collectivite_type="commune",
        insee_code="38153",
        siren="213801533",
        epci_siren="243801024",
        users=[
            {"name": people["member_a"]["name"], "capacity": "member"},
            {"name": people["editor_a"]["name"], "capacity": "editor"},
            {"name": people["admin_a"]["name"], "capacity": "admin"},
        ],
    )
    commune_b = factories.Organization(
        name="villard-de-lans",
        title="Villard-de-Lans",
        collectivite_type="commune",
        insee_code="38548",
        siren="213805484",
        epci_siren="243801024",
        users=[
            {"name": people["editor_b"]["name"], "capacity": "editor"},
            {"name": people["admin_b"]["name"], "capacity": "admin"},
        ],
    )
    return {"people": people, "epci": epci, "a": commune_a, "b": commune_b}


def user_of(territory, role):
    return None if role == "anonymous" else territory["people"][role]


def headers(user) -> dict[str, str]:
    return {"Authorization": user["token"]} if user else {}


@pytest.fixture
def territory():
    """The territory, made for real the first time over an empty catalogue,
    then put back from its snapshot (tests/snapshots.py) whenever the
    catalogue is still empty: a tenth of the time."""
    empty = snapshots.states.get("empty")
    if empty is None or not empty.is_current():
        return make_territory()
    made = snapshots.states.get("territory")
    if made is not None:
        return made.restore()
    made_now = make_territory()
    snapshots.states["territory"] = snapshots.Snapshot.take(made_now)
    return made_now


@pytest.fixture(scope="module")
def module_territory(module_catalogue):
    """The same, made once for a module whose tests only read
    (tests/conftest.py's module_catalogue)."""
    return make_territory()
