"""No server error from what a user sends: every action the extension
registers, called through the action API as a sysadmin (who passes every
access rule, so each action reads its parameters) with values made by
hypothesis (texts, huge and negative numbers, lists, objects, nulls), answers
a success or a clear 4xx, never a 500. The probe of the demo found 19 of
them (a month 9999-12, a limit of 10**20, a decision given as a list...).

Each action starts from the valid parameters of its access rule
(tests/test_access.py) and has some of them, or its documented ones,
replaced."""

from __future__ import annotations

import re

import pytest
from ckan import plugins
from ckan.tests import factories, helpers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import dataset_fields
from tests.people import headers
from tests.test_access import ACTIONS, PRIVATE, PUBLIC

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

SPECIAL_TEXTS = [
    "",
    " ",
    "9999-12",
    "0000-00",
    "2024-13",
    "10000-01",
    "-1",
    "0",
    "1e400",
    "NaN",
    "../../etc/passwd",
    "engins",
    "ccmv",
    PUBLIC,
    PRIVATE,
    "243801024",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "é" * 300,
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([10**20, -(2**63), 2**63, 2**31])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(SPECIAL_TEXTS)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def documented_parameters(action: str) -> list[str]:
    """The ``:param name:`` of the action's docstring."""
    for plugin in plugins.PluginImplementations(plugins.IActions):
        function = plugin.get_actions().get(action)
        if function is not None:
            return re.findall(r":param (\w+):", function.__doc__ or "")
    return []


@pytest.fixture
def catalogue(territory):
    factories.Dataset(name=PUBLIC, owner_org=territory["a"]["id"], **dataset_fields())
    dataset = factories.Dataset(
        name=PRIVATE, owner_org=territory["a"]["id"], private=True, **dataset_fields()
    )
    helpers.call_action(
        "resource_create",
        {"user": territory["people"]["sysadmin"]["name"]},
        package_id=dataset["id"],
        url="https://engins.example/brouillon.csv",
        name="Brouillon",
    )
    return territory


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_no_input_makes_an_action_fail_with_a_server_error(app, catalogue, action):
    rule = ACTIONS[action]
    base, _path = rule.resolve(catalogue)
    names = sorted(set(base) | set(documented_parameters(action)))
    sysadmin = headers(catalogue["people"]["sysadmin"])

    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.dictionaries(st.sampled_from(names or ["id"]), values, max_size=3))
    def call(changed):
        response = app.post(
            f"/api/3/action/{action}", json={**base, **changed}, headers=sysadmin
        )
        assert response.status_code < 500, (changed, response.body[:1000])

    call()


HISTORIES = ["territoire_checklist_history", "territoire_guide_note_history"]


@pytest.mark.parametrize(
    ("action", "changed", "field"),
    [
        ("territoire_usage_month", {"month": "9999-12"}, "month"),
        ("territoire_usage_month", {"month": "0000-01"}, "month"),
        *[(action, {"limit": 10**20}, "limit") for action in HISTORIES],
        ("territoire_reuse_moderate", {"decision": ["publish"]}, "decision"),
        ("territoire_reuse_moderate", {"decision": {"a": 1}}, "decision"),
        ("bulk_update_public", {"datasets": 5}, "datasets"),
    ],
)
def test_the_probes_reproductions_answer_a_clear_409(
    app, catalogue, action, changed, field
):
    """Each server error the probe of the demo found, sent again: a 409
    naming the field."""
    base, _path = ACTIONS[action].resolve(catalogue)
    response = app.post(
        f"/api/3/action/{action}",
        json={**base, **changed},
        headers=headers(catalogue["people"]["sysadmin"]),
    )

    assert response.status_code == 409, response.body
    assert field in response.json["error"], response.json


def test_the_usage_csv_of_a_month_out_of_range_is_a_clear_400(app, catalogue):
    response = app.get(
        "/organization/engins/usage.csv?month=9999-12",
        headers=headers(catalogue["people"]["sysadmin"]),
    )

    assert 400 <= response.status_code < 500
    assert "9999-12" in response.get_data(as_text=True)


@pytest.mark.ckan_config("smtp.mail_from", "")
@pytest.mark.parametrize("kind", ["reuse", "question", "answer"])
def test_a_missing_sender_address_never_fails_what_a_user_sent(app, catalogue, kind):
    """With recipients who have an e-mail and no smtp.mail_from, the row was
    saved, then the user got a server error and sent it again."""
    dataset = helpers.call_action("package_show", id=PUBLIC)
    helpers.call_action(
        "user_patch",
        context={"ignore_auth": True},
        id=catalogue["people"]["editor_a"]["id"],
        email="secretariat@engins.example",
    )
    other = headers(catalogue["people"]["other"])
    if kind == "reuse":
        response = app.post(
            "/api/3/action/territoire_reuse_create",
            json={
                "title": "Carte",
                "url": "https://reuse.example/carte",
                "type": "visualisation",
                "datasets": [dataset["name"]],
            },
            headers=other,
        )
    else:
        response = app.post(
            "/api/3/action/territoire_feedback_create",
            json={"dataset": dataset["name"], "kind": "question", "message": "Où ?"},
            headers=other,
        )
        if kind == "answer":
            response = app.post(
                "/api/3/action/territoire_feedback_answer",
                json={"id": response.json["result"]["id"], "answer": "Ici."},
                headers=headers(catalogue["people"]["editor_a"]),
            )

    assert response.status_code == 200, response.body


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("post", "/api/3/action/territoire_guide_note_history", {"id": "cc\x00mv"}),
        ("post", "/api/3/action/package_show", {"id": "\x00"}),
        ("get", "/api/3/action/territoire_usage_show?id=engins%00", None),
        ("get", "/organization/eng%00ins/guide", None),
        ("get", "/dataset/?q=%00", None),
    ],
)
def test_a_nul_character_is_refused_before_any_action_reads_it(
    app, catalogue, method, path, params
):
    """PostgreSQL refuses NUL in a text: an id holding one was a server
    error in every action that looked it up."""
    sysadmin = headers(catalogue["people"]["sysadmin"])
    if method == "post":
        response = app.post(path, json=params, headers=sysadmin)
    else:
        response = app.get(path, headers=sysadmin)

    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
