"""Who declares, moderates and deletes reuses: any signed-in user declares;
the editors and admins of the dataset's organization moderate (not the EPCI's
admins: each commune decides for its data); the declarer and sysadmins
delete."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import helpers

from tests.people import ROLES, headers, user_of
from tests.usage.conftest import call_as

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

SIGNED_IN = {role: role != "anonymous" for role in ROLES}
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
DECLARER_OR_SYSADMIN = {role: role in ("other", "sysadmin") for role in ROLES}


def allowed(auth, user, **data) -> bool:
    try:
        helpers.call_auth(auth, {"user": user["name"] if user else ""}, **data)
    except logic.NotAuthorized:
        return False
    return True


@pytest.fixture
def reuse(catalogue):
    return call_as(
        catalogue,
        "other",
        "territoire_reuse_create",
        title="Carte",
        url="https://carte.example.org",
        type="application",
        datasets=["budget-engins"],
    )


def matrix(catalogue, auth, **data):
    return {role: allowed(auth, user_of(catalogue, role), **data) for role in ROLES}


def test_any_signed_in_user_declares_a_reuse(catalogue):
    assert matrix(catalogue, "territoire_reuse_create") == SIGNED_IN


def test_anyone_reads_the_reuses(catalogue, reuse):
    everyone = {role: True for role in ROLES}

    assert matrix(catalogue, "territoire_reuse_list") == everyone
    assert matrix(catalogue, "territoire_reuse_show", id=reuse["id"]) == everyone


def test_the_organization_of_the_dataset_moderates(catalogue, reuse):
    by_dataset = matrix(
        catalogue, "territoire_reuse_moderate", id=reuse["id"], dataset="budget-engins"
    )
    by_organization = matrix(
        catalogue, "territoire_reuse_moderate", organization="engins"
    )

    assert by_dataset == MODERATE_A
    assert by_organization == MODERATE_A


def test_the_declarer_and_sysadmins_delete(catalogue, reuse):
    assert matrix(catalogue, "territoire_reuse_delete", id=reuse["id"]) == (
        DECLARER_OR_SYSADMIN
    )


def test_the_pending_reuses_are_listed_to_the_moderators_only(catalogue, reuse):
    def lists(role):
        try:
            call_as(
                catalogue,
                None if role == "anonymous" else role,
                "territoire_reuse_list",
                organization="engins",
                state="pending",
            )
        except logic.NotAuthorized:
            return False
        return True

    assert {role: lists(role) for role in ROLES} == MODERATE_A


def test_the_moderation_page_answers_by_role(app, catalogue, reuse):
    statuses = {
        role: app.get(
            "/organization/engins/reuses", headers=headers(user_of(catalogue, role))
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if MODERATE_A[role] else 403 for role in ROLES}


def test_the_reuses_page_is_public(app, catalogue):
    assert app.get("/reuses").status_code == 200


def test_only_moderators_post_a_decision(app, catalogue, reuse):
    response = app.post(
        "/organization/engins/reuses/moderate",
        headers=headers(catalogue["people"]["epci_admin"]),
        data={"reuse": reuse["id"], "dataset": "budget-engins", "decision": "publish"},
    )

    assert response.status_code == 403
    assert call_as(catalogue, None, "territoire_reuse_list") == []
