"""Who sees the usage: a commune's members and the admins of its EPCI; the
EPCI's view (which covers its members): its admins; always sysadmins."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import helpers

from tests.people import ROLES, headers, user_of

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FOLLOW_A = {
    "anonymous": False,
    "other": False,
    "member_a": True,
    "editor_a": True,
    "admin_a": True,
    "editor_b": False,
    "admin_b": False,
    "epci_admin": True,
    "sysadmin": True,
}
EPCI_ADMINS = {role: role in ("epci_admin", "sysadmin") for role in ROLES}


def allowed(auth, user, **data) -> bool:
    try:
        helpers.call_auth(auth, {"user": user["name"] if user else ""}, **data)
    except logic.NotAuthorized:
        return False
    return True


def matrix(catalogue, auth, **data):
    return {role: allowed(auth, user_of(catalogue, role), **data) for role in ROLES}


@pytest.mark.parametrize("auth", ["territoire_usage_show", "territoire_usage_month"])
def test_a_commune_usage_is_for_its_members_and_the_epci_admins(catalogue, auth):
    assert matrix(catalogue, auth, id="engins") == FOLLOW_A


@pytest.mark.parametrize("auth", ["territoire_usage_show", "territoire_usage_month"])
def test_the_epci_usage_is_for_its_admins(catalogue, auth):
    assert matrix(catalogue, auth, id="ccmv") == EPCI_ADMINS


def test_a_dataset_usage_follows_its_organization(catalogue):
    assert matrix(catalogue, "territoire_dataset_usage_show", id="budget-engins") == (
        FOLLOW_A
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/organization/engins/usage", FOLLOW_A),
        ("/organization/engins/usage.csv", FOLLOW_A),
        ("/organization/ccmv/usage", EPCI_ADMINS),
        ("/organization/ccmv/usage.csv", EPCI_ADMINS),
        ("/dataset/budget-engins/usage", FOLLOW_A),
    ],
)
def test_pages_answer_by_role(app, catalogue, url, expected):
    statuses = {
        role: app.get(url, headers=headers(user_of(catalogue, role))).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if expected[role] else 403 for role in ROLES}
