"""Who may call every action and open every page the extension adds, for every
role of the territory, each with its own API token (anonymous: none).

The lists are introspected: an action registered by the extension or a route
of its blueprints without a rule below fails the test, so nothing new ships
without its access rule. Denied means HTTP 403 (a dataset page one may not
see answers 404, as CKAN does: such rules say so); allowed means any answer
but the denial and no server error (a validation error, 409, is an allowed
caller sending values the action refuses).

The feature folders test the same rules in more detail; this file is the
net that catches a forgotten one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan import plugins
from ckan.tests import factories

from tests.factories import dataset_fields
from tests.roles import ROLES, headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

EVERYONE = frozenset(ROLES)
SYSADMIN = frozenset({"sysadmin"})
# Readers of commune A's onboarding: its members, the EPCI's admins, sysadmins.
READ_A = frozenset({"member_a", "editor_a", "admin_a", "epci_admin", "sysadmin"})
# Those who act for commune A: its editors and admins, sysadmins.
ACT_A = frozenset({"editor_a", "admin_a", "sysadmin"})
# The EPCI's admins and sysadmins.
TERRITORY = frozenset({"epci_admin", "sysadmin"})


# A private dataset of commune A, created for every test of this file.
PRIVATE = "brouillon-engins"


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    params: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    denied_status: int = 403


ACTIONS: dict[str, Rule] = {
    "territoire_territory_show": Rule(EVERYONE, {"epci_siren": "243801024"}),
    "territoire_territory_init": Rule(
        SYSADMIN, {"epci_siren": "000000000", "dry_run": True}
    ),
    "territoire_checklist_show": Rule(READ_A, {"id": "engins"}),
    "territoire_checklist_history": Rule(READ_A, {"id": "engins"}),
    "territoire_checklist_answer": Rule(
        ACT_A, {"id": "engins", "question_id": "inventory", "answer": "yes"}
    ),
    "territoire_guide_show": Rule(READ_A, {"id": "engins"}),
    "territoire_starter_dataset_create": Rule(
        ACT_A, {"id": "engins", "starter": "budget"}
    ),
    "territoire_dashboard_show": Rule(TERRITORY, {"id": "ccmv"}),
    "territoire_guide_note_update": Rule(
        TERRITORY, {"id": "ccmv", "step": "intro", "note": "Bienvenue"}
    ),
    "territoire_guide_note_history": Rule(TERRITORY, {"id": "ccmv"}),
    "territoire_quality_show": Rule(READ_A, {"id": PRIVATE}),
}

# (endpoint, HTTP method) -> rule with the page's path.
PAGES: dict[tuple[str, str], Rule] = {
    ("territoire_onboarding.guide_page", "GET"): Rule(
        READ_A, path="/organization/engins/guide"
    ),
    ("territoire_onboarding.create_starter", "POST"): Rule(
        ACT_A, {"starter": "budget"}, "/organization/engins/guide/starter"
    ),
    ("territoire_onboarding.guide_notes_page", "GET"): Rule(
        TERRITORY, path="/organization/ccmv/guide/notes"
    ),
    ("territoire_onboarding.guide_notes_page", "POST"): Rule(
        TERRITORY, {"note-intro": "Bienvenue"}, "/organization/ccmv/guide/notes"
    ),
    ("territoire_onboarding.checklist_page", "GET"): Rule(
        READ_A, path="/organization/engins/checklist"
    ),
    ("territoire_onboarding.checklist_page", "POST"): Rule(
        ACT_A, {"answer-inventory": "yes"}, "/organization/engins/checklist"
    ),
    ("territoire_onboarding.dashboard_page", "GET"): Rule(
        TERRITORY, path="/organization/ccmv/dashboard"
    ),
    ("territoire_onboarding.dashboard_csv", "GET"): Rule(
        TERRITORY, path="/organization/ccmv/dashboard.csv"
    ),
    ("territoire_quality.dataset_quality", "GET"): Rule(
        READ_A, path=f"/dataset/{PRIVATE}/quality", denied_status=404
    ),
}


def registered_actions() -> set[str]:
    names: set[str] = set()
    for plugin in plugins.PluginImplementations(plugins.IActions):
        if type(plugin).__module__.startswith("ckanext.opendata_territoire"):
            names |= set(plugin.get_actions())
    return names


def registered_pages(app) -> set[tuple[str, str]]:
    from ckanext.opendata_territoire.views import get_blueprints

    ours = {blueprint.name for blueprint in get_blueprints()}
    return {
        (rule.endpoint, method)
        for rule in app.flask_app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ours
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def user_of(territory, role):
    return None if role == "anonymous" else territory["people"][role]


@pytest.fixture(autouse=True)
def private_dataset(clean_db, territory):
    return factories.Dataset(
        name=PRIVATE, owner_org=territory["a"]["id"], private=True, **dataset_fields()
    )


def outcome(response, rule: Rule | None = None) -> bool:
    assert response.status_code < 500, response.body[:2000]
    return response.status_code != (rule.denied_status if rule else 403)


def test_every_action_has_an_access_rule():
    assert registered_actions() == set(ACTIONS)


def test_every_page_has_an_access_rule(app):
    assert registered_pages(app) == set(PAGES)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_who_may_call_each_action(app, territory, action):
    rule = ACTIONS[action]

    result = {
        role: outcome(
            app.post(
                f"/api/3/action/{action}",
                json=rule.params,
                headers=headers(user_of(territory, role)),
            ),
            rule,
        )
        for role in ROLES
    }

    assert result == {role: role in rule.allowed for role in ROLES}


@pytest.mark.parametrize(("endpoint", "method"), sorted(PAGES))
def test_who_may_open_each_page(app, territory, endpoint, method):
    rule = PAGES[(endpoint, method)]

    def call(role):
        send = app.get if method == "GET" else app.post
        kwargs = {"data": rule.params} if method == "POST" else {}
        return send(
            rule.path,
            headers=headers(user_of(territory, role)),
            follow_redirects=False,
            **kwargs,
        )

    result = {role: outcome(call(role), rule) for role in ROLES}

    assert result == {role: role in rule.allowed for role in ROLES}


# CKAN's own actions on the territory's datasets, as configured here.
DATASET_READERS = READ_A
DATASET_EDITORS = ACT_A


@pytest.mark.parametrize(
    ("action", "params", "allowed"),
    [
        ("package_show", {}, DATASET_READERS),
        ("package_patch", {"notes": "Relu."}, DATASET_EDITORS),
        ("package_delete", {}, DATASET_EDITORS),
    ],
)
def test_who_may_read_and_change_a_communes_private_dataset(
    app, territory, private_dataset, action, params, allowed
):
    result = {}
    for role in ROLES:
        response = app.post(
            f"/api/3/action/{action}",
            json={"id": private_dataset["id"], **params},
            headers=headers(user_of(territory, role)),
        )
        result[role] = outcome(response)
        if action == "package_delete" and result[role]:
            # Bring it back for the next role.
            app.post(
                "/api/3/action/package_patch",
                json={"id": private_dataset["id"], "state": "active"},
                headers=headers(territory["people"]["sysadmin"]),
            )

    assert result == {role: role in allowed for role in ROLES}
