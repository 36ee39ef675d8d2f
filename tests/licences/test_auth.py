"""Who may use the licence chooser: everyone, signed in or not (advice on
licences is public), through the action and the page."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import helpers

from tests.people import ROLES, headers, territory  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def user_of(territory, role):  # noqa: F811
    return None if role == "anonymous" else territory["people"][role]


def allowed(user) -> bool:
    try:
        helpers.call_auth(
            "territoire_licence_recommend", {"user": user["name"] if user else ""}
        )
    except logic.NotAuthorized:
        return False
    return True


def test_everyone_may_ask_for_a_recommendation(territory):  # noqa: F811
    result = {role: allowed(user_of(territory, role)) for role in ROLES}

    assert result == {role: True for role in ROLES}


def test_everyone_may_call_the_action_through_the_api(app, territory):  # noqa: F811
    statuses = {
        role: app.get(
            "/api/3/action/territoire_licence_recommend?share_alike=yes",
            headers=headers(user_of(territory, role)),
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 for role in ROLES}


def test_everyone_may_open_the_licences_page(app, territory):  # noqa: F811
    statuses = {
        role: app.get(
            "/licences?fee=no", headers=headers(user_of(territory, role))
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 for role in ROLES}
