"""Who reads and who answers a commune's checklist, through the action API and
the page, for every role: the commune's members read, its editors and admins
answer, the admins of its EPCI read, sysadmins do everything, everybody else
(anonymous users, other communes, the EPCI's editors, another EPCI's admins)
gets a 403 and stores nothing."""

from __future__ import annotations

import pytest
from ckan.tests import factories, helpers

from ckanext.opendata_territoire.onboarding import model as answers
from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

READERS = {"member_a", "editor_a", "admin_a", "epci_admin", "sysadmin"}
ANSWERERS = {"editor_a", "admin_a", "sysadmin"}
ROLES = [
    "anonymous",
    "other",
    "member_a",
    "editor_a",
    "admin_a",
    "editor_b",
    "admin_b",
    "epci_admin",
    "epci_editor",
    "other_epci_admin",
    "sysadmin",
]


@pytest.fixture
def people(territory):
    """The territory's people, plus an editor (not an admin) of the EPCI's
    organization and the admin of another EPCI."""
    found = dict(territory["people"])
    found["epci_editor"] = factories.UserWithToken()
    helpers.call_action(
        "organization_member_create",
        id=territory["epci"]["id"],
        username=found["epci_editor"]["name"],
        role="editor",
    )
    found["other_epci_admin"] = factories.UserWithToken()
    factories.Organization(
        name="autre-epci",
        collectivite_type="epci",
        siren="200040715",
        users=[{"name": found["other_epci_admin"]["name"], "capacity": "admin"}],
    )
    return found


def user_of(people, role):
    return None if role == "anonymous" else people[role]


def stored(org_id):
    return answers.history(org_id)


def test_the_show_and_history_actions_answer_by_role(app, territory, people):
    for action in ("territoire_checklist_show", "territoire_checklist_history"):
        statuses = {
            role: app.get(
                f"/api/3/action/{action}",
                query_string={"id": "engins"},
                headers=headers(user_of(people, role)),
            ).status_code
            for role in ROLES
        }

        assert statuses == {role: 200 if role in READERS else 403 for role in ROLES}, (
            action
        )


def test_the_answer_action_answers_by_role(app, territory, people):
    statuses = {
        role: app.post(
            "/api/3/action/territoire_checklist_answer",
            json={
                "id": "engins",
                "question_id": "inventory",
                "answer": "yes",
                "comment": role,
            },
            headers=headers(user_of(people, role)),
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if role in ANSWERERS else 403 for role in ROLES}
    assert sorted(row.comment for row in stored(territory["a"]["id"])) == sorted(
        ANSWERERS
    )


def test_a_refused_reader_gets_the_reason_in_french(app, territory, people):
    response = app.get(
        "/api/3/action/territoire_checklist_show",
        query_string={"id": "engins"},
        headers=headers(people["editor_b"]),
    )

    assert response.status_code == 403
    assert (
        "administrateurs de son intercommunalité" in response.json["error"]["message"]
    )


def test_the_page_answers_by_role(app, territory, people):
    statuses = {
        role: app.get(
            "/organization/engins/checklist", headers=headers(user_of(people, role))
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if role in READERS else 403 for role in ROLES}


def test_only_editors_and_admins_can_post_the_form(app, territory, people):
    statuses = {}
    for role in ROLES:
        if role == "anonymous":
            continue  # below, without an API token
        statuses[role] = app.post(
            "/organization/engins/checklist",
            headers=headers(people[role]),
            data={"answer-training": "in_progress", "comment-training": role},
            follow_redirects=False,
        ).status_code

    assert statuses == {
        role: 302 if role in ANSWERERS else 403 for role in ROLES if role != "anonymous"
    }
    assert sorted(row.comment for row in stored(territory["a"]["id"])) == sorted(
        ANSWERERS
    )


def test_an_anonymous_post_is_refused_and_stores_nothing(app, territory):
    response = app.post(
        "/organization/engins/checklist",
        data={"answer-training": "yes"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert stored(territory["a"]["id"]) == []


def test_a_reader_sees_the_answers_without_the_form(app, territory):
    editor = territory["people"]["editor_a"]
    app.post(
        "/organization/engins/checklist",
        headers=headers(editor),
        data={"answer-training": "in_progress", "comment-training": "En juin"},
    )

    for role in ("member_a", "epci_admin"):
        page = app.get(
            "/organization/engins/checklist",
            headers=headers(territory["people"][role]),
        )
        assert 'name="answer-training"' not in page.body, role
        assert "Enregistrer les réponses" not in page.body, role
        assert "En cours — En juin" in page.body, role
        assert "Pas encore de réponse" in page.body, role
