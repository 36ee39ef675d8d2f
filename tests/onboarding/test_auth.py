"""Who sees and acts on a commune's onboarding, for every action and page:
its members read, its editors and admins act, the EPCI's admins read every
member's, sysadmins do everything, others nothing."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import helpers

from tests.people import ROLES, headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

READ = {
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
ACT = {
    "anonymous": False,
    "other": False,
    "member_a": False,
    "editor_a": True,
    "admin_a": True,
    "editor_b": False,
    "admin_b": False,
    "epci_admin": False,
    "sysadmin": True,
}


def user_of(territory, role):
    return None if role == "anonymous" else territory["people"][role]


def allowed(auth, user, org_id) -> bool:
    try:
        helpers.call_auth(auth, {"user": user["name"] if user else ""}, id=org_id)
    except logic.NotAuthorized:
        return False
    return True


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ("territoire_checklist_show", READ),
        ("territoire_checklist_history", READ),
        ("territoire_guide_show", READ),
        ("territoire_checklist_answer", ACT),
        ("territoire_starter_dataset_create", ACT),
    ],
)
def test_auth_matrix_on_commune_a(territory, auth, expected):
    org_id = territory["a"]["id"]

    result = {role: allowed(auth, user_of(territory, role), org_id) for role in ROLES}

    assert result == expected


@pytest.mark.parametrize("page", ["guide", "checklist"])
def test_pages_answer_by_role(app, territory, page):
    statuses = {
        role: app.get(
            f"/organization/engins/{page}", headers=headers(user_of(territory, role))
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if READ[role] else 403 for role in ROLES}


def test_a_reader_sees_the_checklist_without_the_form(app, territory):
    page = app.get(
        "/organization/engins/checklist",
        headers=headers(territory["people"]["epci_admin"]),
    )

    assert 'name="answer-elected-sponsor"' not in page.body
    assert "Pas encore de réponse" in page.body


def test_only_editors_can_post_answers_through_the_page(app, territory):
    response = app.post(
        "/organization/engins/checklist",
        headers=headers(territory["people"]["member_a"]),
        data={"answer-elected-sponsor": "yes"},
    )

    assert response.status_code == 403
