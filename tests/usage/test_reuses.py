"""Reuses: a reuser declares one, each dataset's organization publishes or
refuses it, and only what is published (and readable) is shown."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan import logic

from tests.people import headers
from tests.usage.conftest import call_as

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

MAP = {
    "title": "Carte des budgets du Vercors",
    "url": "https://carte.example.org/budgets",
    "type": "visualisation",
    "author": "Vercors Data Lab",
    "image_url": "https://carte.example.org/apercu.png",
    "description": "Les budgets des communes sur une carte.",
}


def declare(catalogue, role="other", datasets=("budget-engins",), **fields):
    return call_as(
        catalogue,
        role,
        "territoire_reuse_create",
        datasets=list(datasets),
        **{
            **MAP,
            **fields,
        },
    )


def published_titles(catalogue, role=None, **filters):
    return [
        reuse["title"]
        for reuse in call_as(catalogue, role, "territoire_reuse_list", **filters)
    ]


def dataset_page(app, name, user=None):
    page = app.get(f"/dataset/{name}", headers=headers(user))
    return BeautifulSoup(page.body, "html.parser").find(id="reuses")


def test_a_declared_reuse_waits_for_the_organization(app, catalogue):
    reuse = declare(catalogue)

    assert [(d["name"], d["state"]) for d in reuse["datasets"]] == [
        ("budget-engins", "pending")
    ]
    assert published_titles(catalogue) == []
    assert MAP["title"] not in dataset_page(app, "budget-engins").text


def test_once_published_the_reuse_is_on_the_dataset_page_and_the_reuses_page(
    app, catalogue
):
    reuse = declare(catalogue)

    call_as(
        catalogue,
        "editor_a",
        "territoire_reuse_moderate",
        id=reuse["id"],
        dataset="budget-engins",
        decision="publish",
    )

    section = dataset_page(app, "budget-engins")
    assert MAP["title"] in section.text
    assert section.find("a", string=MAP["title"])["href"] == MAP["url"]
    assert "Visualisation" in section.text
    listing = app.get("/reuses").body
    assert MAP["title"] in listing
    assert "Vercors Data Lab" in listing


def test_a_reuse_declared_by_an_editor_of_the_dataset_is_published_at_once(
    catalogue,
):
    reuse = declare(catalogue, role="editor_a")

    assert reuse["datasets"][0]["state"] == "published"
    assert published_titles(catalogue, dataset="budget-engins") == [MAP["title"]]


def test_each_organization_moderates_its_own_dataset(app, catalogue):
    reuse = declare(catalogue, datasets=("budget-engins", "menus-villard"))

    call_as(
        catalogue,
        "admin_b",
        "territoire_reuse_moderate",
        id=reuse["id"],
        dataset="menus-villard",
        decision="publish",
    )

    assert MAP["title"] in dataset_page(app, "menus-villard").text
    assert MAP["title"] not in dataset_page(app, "budget-engins").text
    shown = call_as(catalogue, None, "territoire_reuse_show", id=reuse["id"])
    assert [d["name"] for d in shown["datasets"]] == ["menus-villard"]


def test_a_refused_reuse_is_not_shown(catalogue):
    reuse = declare(catalogue, role="editor_a")

    call_as(
        catalogue,
        "admin_a",
        "territoire_reuse_moderate",
        id=reuse["id"],
        dataset="budget-engins",
        decision="refuse",
    )

    assert published_titles(catalogue) == []
    with pytest.raises(logic.NotFound):
        call_as(catalogue, None, "territoire_reuse_show", id=reuse["id"])
    refused = call_as(
        catalogue,
        "editor_a",
        "territoire_reuse_list",
        organization="engins",
        state="refused",
    )
    assert [r["title"] for r in refused] == [MAP["title"]]


def test_the_declarer_sees_the_pending_reuse_others_do_not(catalogue):
    reuse = declare(catalogue)

    mine = call_as(catalogue, "other", "territoire_reuse_show", id=reuse["id"])
    assert mine["datasets"][0]["state"] == "pending"
    with pytest.raises(logic.NotFound):
        call_as(catalogue, "editor_b", "territoire_reuse_show", id=reuse["id"])


def test_a_private_dataset_cannot_be_named_by_who_cannot_read_it(catalogue):
    with pytest.raises(logic.ValidationError) as error:
        declare(catalogue, datasets=("brouillon-engins",))

    assert error.value.error_dict == {
        "datasets": ["No dataset of the catalogue is named: brouillon-engins."]
    }


def test_a_reuse_of_a_private_dataset_is_shown_only_to_its_readers(app, catalogue):
    reuse = declare(
        catalogue, role="editor_a", datasets=("brouillon-engins", "budget-engins")
    )

    public = call_as(catalogue, None, "territoire_reuse_show", id=reuse["id"])
    assert [d["name"] for d in public["datasets"]] == ["budget-engins"]
    member = call_as(catalogue, "member_a", "territoire_reuse_show", id=reuse["id"])
    assert {d["name"] for d in member["datasets"]} == {
        "budget-engins",
        "brouillon-engins",
    }
    assert "brouillon" not in app.get("/reuses").body


def test_wrong_fields_are_named_with_their_rule(catalogue):
    with pytest.raises(logic.ValidationError) as error:
        declare(
            catalogue,
            title="",
            url="javascript:alert(1)",
            type="podcast",
            image_url="ftp://example.org/a.png",
            datasets=("budget-engins", "inconnu"),
        )

    assert error.value.error_dict == {
        "title": ["Missing value."],
        "url": [
            '"javascript:alert(1)" is not a web address (it must start with '
            "https:// or http://)."
        ],
        "image_url": [
            '"ftp://example.org/a.png" is not a web address (it must start with '
            "https:// or http://)."
        ],
        "type": [
            '"podcast" is not a type of reuse. Allowed types: '
            "application, visualisation, article, api, other."
        ],
        "datasets": ["No dataset of the catalogue is named: inconnu."],
    }


def test_errors_are_in_french_through_the_api(app, catalogue):
    response = app.post(
        "/api/3/action/territoire_reuse_create",
        headers=headers(catalogue["people"]["other"]),
        json={**MAP, "type": "podcast", "datasets": ["inconnu"]},
    )

    assert response.status_code == 409
    assert response.json["error"]["type"] == [
        "« podcast » n'est pas un type de réutilisation. Types autorisés : "
        "application, visualisation, article, api, other."
    ]
    assert response.json["error"]["datasets"] == [
        "Aucun jeu de données du catalogue ne porte ce nom : inconnu."
    ]


def test_a_decision_must_be_publish_or_refuse(catalogue):
    reuse = declare(catalogue)

    with pytest.raises(logic.ValidationError) as error:
        call_as(
            catalogue,
            "editor_a",
            "territoire_reuse_moderate",
            id=reuse["id"],
            dataset="budget-engins",
            decision="maybe",
        )

    assert error.value.error_dict == {
        "decision": ['"maybe" is not a decision. Allowed decisions: publish, refuse.']
    }


def test_datasets_are_given_by_name_or_page_address(catalogue):
    reuse = declare(
        catalogue,
        datasets=("http://test.ckan.net/dataset/menus-villard\nbudget-engins",),
    )

    assert {d["name"] for d in reuse["datasets"]} == {
        "menus-villard",
        "budget-engins",
    }


def test_the_form_declares_a_reuse_and_returns_to_the_dataset(app, catalogue):
    other = catalogue["people"]["other"]
    form = app.get("/reuses/new?dataset=budget-engins", headers=headers(other))
    assert (
        "budget-engins"
        in BeautifulSoup(form.body, "html.parser").find(id="datasets").text
    )

    response = app.post(
        "/reuses/new",
        headers=headers(other),
        data={**MAP, "datasets": "budget-engins"},
        follow_redirects=False,
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dataset/budget-engins#reuses")
    pending = call_as(
        catalogue,
        "editor_a",
        "territoire_reuse_list",
        organization="engins",
        state="pending",
    )
    assert [r["title"] for r in pending] == [MAP["title"]]


def test_the_form_comes_back_with_the_errors(app, catalogue):
    response = app.post(
        "/reuses/new",
        headers=headers(catalogue["people"]["other"]),
        data={**MAP, "url": "carte", "datasets": "budget-engins"},
    )

    page = BeautifulSoup(response.body, "html.parser")
    assert "n'est pas une adresse web" in page.find(id="error-url").text
    assert page.find(id="title")["value"] == MAP["title"]


def test_anonymous_visitors_are_sent_to_sign_in(app, catalogue):
    response = app.get("/reuses/new", follow_redirects=False)

    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_editors_publish_from_the_organization_page(app, catalogue):
    reuse = declare(catalogue)
    editor = catalogue["people"]["editor_a"]
    page = app.get("/organization/engins/reuses", headers=headers(editor))
    assert MAP["title"] in page.body

    app.post(
        "/organization/engins/reuses/moderate",
        headers=headers(editor),
        data={"reuse": reuse["id"], "dataset": "budget-engins", "decision": "publish"},
    )

    assert published_titles(catalogue, dataset="budget-engins") == [MAP["title"]]


def test_the_declarer_deletes_the_reuse(catalogue):
    reuse = declare(catalogue, role="editor_a")

    call_as(catalogue, "editor_a", "territoire_reuse_delete", id=reuse["id"])

    assert published_titles(catalogue) == []
