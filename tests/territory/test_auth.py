"""Who may call the territory actions: reading the territory is public,
initialising it is a sysadmin's job."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import factories, helpers


@pytest.fixture
def roles():
    editor, admin, member = factories.User(), factories.User(), factories.User()
    factories.Organization(
        users=[
            {"name": editor["name"], "capacity": "editor"},
            {"name": admin["name"], "capacity": "admin"},
            {"name": member["name"], "capacity": "member"},
        ]
    )
    return {
        "anonymous": None,
        "registered user": factories.User()["name"],
        "organization member": member["name"],
        "organization editor": editor["name"],
        "organization admin": admin["name"],
        "sysadmin": factories.Sysadmin()["name"],
    }


def allowed(action: str, user: str | None) -> bool:
    context = {"user": user or ""}
    try:
        helpers.call_auth(action, context)
    except logic.NotAuthorized:
        return False
    return True


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (
            "territoire_territory_show",
            {
                "anonymous": True,
                "registered user": True,
                "organization member": True,
                "organization editor": True,
                "organization admin": True,
                "sysadmin": True,
            },
        ),
        (
            "territoire_territory_init",
            {
                "anonymous": False,
                "registered user": False,
                "organization member": False,
                "organization editor": False,
                "organization admin": False,
                "sysadmin": True,
            },
        ),
    ],
)
def test_auth_matrix(roles, action, expected):
    assert {role: allowed(action, user) for role, user in roles.items()} == expected


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_anonymous_cannot_initialise_the_territory_through_the_api(app):
    response = app.post(
        "/api/3/action/territoire_territory_init", json={"epci_siren": "243801024"}
    )

    assert response.status_code == 403
    assert helpers.call_action("organization_list") == []
