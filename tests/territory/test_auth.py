"""Who may call the territory actions: reading the territory is public,
initialising it is for sysadmins and the EPCI's own admins. Roles as in the
issue: anonymous, a registered user, the member, editor and admin of commune
A, the admin of commune B, the EPCI's admin, a sysadmin."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import factories, helpers

from tests.territory.conftest import CCMV

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def roles() -> dict[str, str | None]:
    people = {
        role: factories.User()["name"]
        for role in (
            "registered user",
            "member of commune A",
            "editor of commune A",
            "admin of commune A",
            "admin of commune B",
            "admin of the EPCI",
        )
    }
    factories.Organization(
        collectivite_type="epci",
        siren=CCMV,
        users=[{"name": people["admin of the EPCI"], "capacity": "admin"}],
    )
    factories.Organization(
        collectivite_type="commune",
        insee_code="38153",
        siren="213801533",
        epci_siren=CCMV,
        users=[
            {"name": people["member of commune A"], "capacity": "member"},
            {"name": people["editor of commune A"], "capacity": "editor"},
            {"name": people["admin of commune A"], "capacity": "admin"},
        ],
    )
    factories.Organization(
        collectivite_type="commune",
        insee_code="38548",
        siren="213805484",
        epci_siren=CCMV,
        users=[{"name": people["admin of commune B"], "capacity": "admin"}],
    )
    return {"anonymous": None, **people, "sysadmin": factories.Sysadmin()["name"]}


def allowed(action: str, user: str | None) -> bool:
    try:
        helpers.call_auth(action, {"user": user or ""})
    except logic.NotAuthorized:
        return False
    return True


EVERYONE = {
    "anonymous": True,
    "registered user": True,
    "member of commune A": True,
    "editor of commune A": True,
    "admin of commune A": True,
    "admin of commune B": True,
    "admin of the EPCI": True,
    "sysadmin": True,
}
SYSADMINS_AND_EPCI = {
    role: role in ("sysadmin", "admin of the EPCI") for role in EVERYONE
}


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("territoire_territory_show", EVERYONE),
        ("territoire_territory_init", SYSADMINS_AND_EPCI),  # the configured EPCI
    ],
)
def test_auth_matrix(roles, action, expected):
    assert {role: allowed(action, user) for role, user in roles.items()} == expected


def test_the_refusal_says_why(roles):
    with pytest.raises(logic.NotAuthorized) as error:
        helpers.call_auth(
            "territoire_territory_init", {"user": roles["admin of commune A"]}
        )

    assert "Only the administrators of the EPCI and the portal's administrators" in (
        str(error.value)
    )


def test_an_epci_admin_initialises_only_their_own_epci(roles):
    user = {"user": roles["admin of the EPCI"]}
    other_epci = "200040715"  # Grenoble-Alpes Métropole, no organization here

    assert allowed("territoire_territory_init", roles["admin of the EPCI"])
    with pytest.raises(logic.NotAuthorized):
        helpers.call_auth("territoire_territory_init", user, epci_siren=other_epci)


@pytest.mark.usefixtures("clean_index")
@pytest.mark.parametrize("role", ["anonymous", "admin of the EPCI", "sysadmin"])
def test_show_through_the_api_for_anyone(app, roles, role):
    user = roles[role]
    headers = {}
    if user:
        token = helpers.call_action(
            "api_token_create", context={"user": user}, user=user, name="t"
        )["token"]
        headers = {"Authorization": token}

    response = app.get("/api/3/action/territoire_territory_show", headers=headers)

    assert response.status_code == 200
    assert len(response.json["result"]["members"]) == 2
