"""Who writes, reads, answers and hides the questions on a dataset: whoever
may read the dataset reads them and, signed in, writes one; the editors and
admins of its organization answer and hide them (not the EPCI's admins)."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import helpers

from tests.people import ROLES, headers, user_of
from tests.usage.conftest import call_as

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

MODERATE_A = {
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
# A private dataset's readers: its organization's members, the admins of its
# EPCI (territory/visibility.py), sysadmins.
READ_PRIVATE_A = {
    role: role in ("member_a", "editor_a", "admin_a", "epci_admin", "sysadmin")
    for role in ROLES
}


def allowed(auth, user, **data) -> bool:
    try:
        helpers.call_auth(auth, {"user": user["name"] if user else ""}, **data)
    except logic.NotAuthorized:
        return False
    return True


def matrix(catalogue, auth, **data):
    return {role: allowed(auth, user_of(catalogue, role), **data) for role in ROLES}


@pytest.fixture
def question(catalogue, mailbox):
    return call_as(
        catalogue,
        "other",
        "territoire_feedback_create",
        dataset="budget-engins",
        kind="question",
        message="Quelle unité ?",
    )


def test_on_a_public_dataset_everyone_reads_and_signed_in_users_write(catalogue):
    assert matrix(catalogue, "territoire_feedback_list", dataset="budget-engins") == {
        role: True for role in ROLES
    }
    assert matrix(catalogue, "territoire_feedback_create", dataset="budget-engins") == {
        role: role != "anonymous" for role in ROLES
    }


def test_on_a_private_dataset_only_its_readers_read_and_write(catalogue):
    for auth in ("territoire_feedback_list", "territoire_feedback_create"):
        assert matrix(catalogue, auth, dataset="brouillon-engins") == READ_PRIVATE_A, (
            auth
        )


def test_the_organization_answers_and_hides(catalogue, question):
    for auth in ("territoire_feedback_answer", "territoire_feedback_hide"):
        assert matrix(catalogue, auth, id=question["id"]) == MODERATE_A, auth


def test_a_private_dataset_gives_no_answer_to_others(app, catalogue):
    response = app.post(
        "/dataset/brouillon-engins/feedback",
        headers=headers(catalogue["people"]["other"]),
        data={"kind": "question", "message": "?"},
    )

    assert response.status_code == 404


def test_only_the_organization_answers_through_the_page(app, catalogue, question):
    statuses = {
        role: app.post(
            f"/dataset/budget-engins/feedback/{question['id']}/answer",
            headers=headers(user_of(catalogue, role)),
            data={"answer": "Des euros."},
            follow_redirects=False,
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 302 if MODERATE_A[role] else 403 for role in ROLES}
