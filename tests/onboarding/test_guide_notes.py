"""The EPCI's administrators curate the guide its members share: a note above
the four steps and one per step (text and links), shown in every member's
guide, edited through the action API or a plain form, history kept."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from tests.people import ROLES, headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

CURATE = {role: role in ("epci_admin", "sysadmin") for role in ROLES}
TRAINING = {"label": "Formation des secrétaires", "url": "https://ccmv.example/form"}


def user_of(territory, role):
    return None if role == "anonymous" else territory["people"][role]


def update(territory, role="epci_admin", **data):
    return helpers.call_action(
        "territoire_guide_note_update",
        context={"user": territory["people"][role]["name"]},
        **{"id": "ccmv", **data},
    )


def guide_of(territory, org="engins", role="editor_a"):
    return helpers.call_action(
        "territoire_guide_show",
        context={"user": territory["people"][role]["name"]},
        id=org,
    )


def test_a_members_guide_shows_its_epcis_notes(territory):
    update(territory, step="intro", note="Bienvenue dans le catalogue du Vercors.")
    update(territory, step="prepare", note="Demandez à Léa.", links=[TRAINING])

    guide = guide_of(territory)

    assert guide["epci"] == "ccmv"
    assert guide["intro"]["note"] == "Bienvenue dans le catalogue du Vercors."
    assert guide["intro"]["links"] == []
    assert guide["intro"]["user"] == territory["people"]["epci_admin"]["name"]
    notes = {step["id"]: step["note"] for step in guide["steps"]}
    assert notes["prepare"]["note"] == "Demandez à Léa."
    assert notes["prepare"]["links"] == [TRAINING]
    assert notes["validate"] is None
    assert [step["id"] for step in guide["steps"]] == [
        "validate",
        "strategy",
        "prepare",
        "alive",
    ]
    # The other member and the EPCI itself share the same notes.
    assert guide_of(territory, "villard-de-lans", "editor_b")["intro"] == guide["intro"]
    assert guide_of(territory, "ccmv", "epci_admin")["intro"] == guide["intro"]


def test_a_key_left_out_keeps_its_value_and_an_empty_note_leaves_the_guide(
    territory,
):
    update(territory, step="alive", note="Mettez à jour chaque trimestre.")
    update(territory, step="alive", links=[TRAINING])

    note = {s["id"]: s["note"] for s in guide_of(territory)["steps"]}["alive"]
    assert note["note"] == "Mettez à jour chaque trimestre."
    assert note["links"] == [TRAINING]

    update(territory, step="alive", note="", links=[])

    assert {s["id"]: s["note"] for s in guide_of(territory)["steps"]}["alive"] is None


def test_the_history_keeps_every_version_newest_first(territory):
    update(territory, step="intro", note="Version 1")
    update(territory, step="intro", note="Version 2")
    update(territory, step="strategy", note="Commencez par les délibérations.")
    update(territory, step="intro", note="")

    versions = helpers.call_action(
        "territoire_guide_note_history",
        context={"user": territory["people"]["epci_admin"]["name"]},
        id="ccmv",
    )

    assert [(v["step"], v["note"]) for v in versions] == [
        ("intro", ""),
        ("strategy", "Commencez par les délibérations."),
        ("intro", "Version 2"),
        ("intro", "Version 1"),
    ]
    intro_only = helpers.call_action(
        "territoire_guide_note_history",
        context={"user": territory["people"]["sysadmin"]["name"]},
        id="ccmv",
        step="intro",
        limit=2,
    )
    assert [v["note"] for v in intro_only] == ["", "Version 2"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"step": "epilogue", "note": "x"},
            {
                "step": [
                    '"epilogue" is not a place of the guide. Allowed: intro, '
                    "validate, strategy, prepare, alive."
                ]
            },
        ),
        (
            {"note": "x"},
            {
                "step": [
                    "Missing value. Allowed: intro, validate, strategy, prepare, alive."
                ]
            },
        ),
        (
            {"step": "intro", "note": "x" * 5001},
            {"note": ["The note has 5001 characters: at most 5000 are allowed."]},
        ),
        (
            {
                "step": "intro",
                "links": [
                    {"label": "", "url": "https://a.example"},
                    {"label": "Piège", "url": "javascript:alert(1)"},
                    {"label": "x" * 201, "url": "https://a.example"},
                    "https://a.example",
                ],
            },
            {
                "links": [
                    "Link 1: the label is missing.",
                    'Link 2: "javascript:alert(1)" is not a web address (it must '
                    "start with https:// or http://).",
                    "Link 3: the label has 201 characters, at most 200 are allowed.",
                    'Link 4: give an object {"label": ..., "url": ...}.',
                ]
            },
        ),
        (
            {"step": "intro", "links": [TRAINING] * 11},
            {"links": ["11 links given: at most 10 are allowed."]},
        ),
        (
            {"step": "intro", "links": "not json"},
            {"links": ['Give a list of links, each {"label": ..., "url": ...}.']},
        ),
    ],
)
def test_a_bad_note_names_the_field_and_the_rule(territory, data, errors):
    with pytest.raises(helpers.logic.ValidationError) as error:
        update(territory, **data)

    assert error.value.error_dict == errors
    assert guide_of(territory)["intro"] is None


def test_only_an_epci_has_notes(territory):
    with pytest.raises(helpers.logic.ValidationError) as error:
        update(territory, "sysadmin", id="engins", step="intro", note="x")

    assert error.value.error_dict == {
        "id": [
            '"engins" is not an intercommunality (EPCI): only an EPCI adds notes '
            "to its members' guide."
        ]
    }


def test_errors_are_in_french_through_the_api(app, territory):
    response = app.post(
        "/api/3/action/territoire_guide_note_update",
        headers=headers(territory["people"]["epci_admin"]),
        json={"id": "ccmv", "step": "intro", "links": [{"label": "x", "url": "ftp:"}]},
    )

    assert response.status_code == 409
    assert response.json["error"]["links"] == [
        "Lien 1 : « ftp: » n'est pas une adresse web (elle doit commencer par "
        "https:// ou http://)."
    ]


@pytest.mark.parametrize(
    "auth", ["territoire_guide_note_update", "territoire_guide_note_history"]
)
def test_auth_matrix_of_the_notes(territory, auth):
    def allowed(role):
        user = user_of(territory, role)
        try:
            helpers.call_auth(
                auth, {"user": user["name"] if user else ""}, id=territory["epci"]["id"]
            )
        except helpers.logic.NotAuthorized:
            return False
        return True

    assert {role: allowed(role) for role in ROLES} == CURATE


def test_a_commune_admin_cannot_write_the_epcis_notes_through_the_api(app, territory):
    response = app.post(
        "/api/3/action/territoire_guide_note_update",
        headers=headers(territory["people"]["admin_a"]),
        json={"id": "ccmv", "step": "intro", "note": "Je suis le chef."},
    )

    assert response.status_code == 403
    assert guide_of(territory)["intro"] is None


def test_the_notes_page_answers_by_role(app, territory):
    statuses = {
        role: app.get(
            "/organization/ccmv/guide/notes",
            headers=headers(user_of(territory, role)),
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if CURATE[role] else 403 for role in ROLES}


def test_a_post_of_the_notes_page_by_a_commune_is_refused(app, territory):
    response = app.post(
        "/organization/ccmv/guide/notes",
        headers=headers(territory["people"]["admin_a"]),
        data={"note-intro": "Je suis le chef."},
    )

    assert response.status_code == 403
    assert guide_of(territory)["intro"] is None


def test_a_commune_has_no_notes_page(app, territory):
    response = app.get(
        "/organization/engins/guide/notes",
        headers=headers(territory["people"]["sysadmin"]),
    )

    assert response.status_code == 404


def test_notes_saved_in_the_form_appear_in_a_members_guide(app, territory):
    response = app.post(
        "/organization/ccmv/guide/notes",
        headers=headers(territory["people"]["epci_admin"]),
        data={
            "note-intro": "Bienvenue ! **Léa** vous accompagne.",
            "links-intro": "",
            "note-prepare": "",
            "links-prepare": f"{TRAINING['label']} | {TRAINING['url']}",
        },
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert response.location.endswith("/organization/ccmv/guide")

    page = app.get(
        "/organization/engins/guide", headers=headers(territory["people"]["editor_a"])
    )

    soup = BeautifulSoup(page.body, "html.parser")
    intro = soup.select_one(".territoire-guide-note")
    assert intro.select_one("p.fw-bold").get_text(strip=True) == (
        "De la part de CC du Massif du Vercors"
    )
    assert intro.select_one("strong").get_text() == "Léa"
    prepare = soup.select_one("#step-prepare .territoire-guide-note")
    link = prepare.select_one(".territoire-guide-note-links a")
    assert (link.get_text(), link["href"]) == (TRAINING["label"], TRAINING["url"])
    assert soup.select_one("#step-validate .territoire-guide-note") is None
    # The commune's editor does not get the EPCI's edit button.
    assert soup.find("a", href="/organization/ccmv/guide/notes") is None


def test_the_edit_button_is_shown_to_the_epcis_admins_on_a_members_guide(
    app, territory
):
    page = app.get(
        "/organization/engins/guide",
        headers=headers(territory["people"]["epci_admin"]),
    )

    soup = BeautifulSoup(page.body, "html.parser")
    assert soup.find("a", href="/organization/ccmv/guide/notes")


def test_a_note_cannot_inject_markup(app, territory):
    update(territory, step="intro", note='<script>alert("x")</script>Texte')

    page = app.get(
        "/organization/engins/guide", headers=headers(territory["people"]["editor_a"])
    )

    note = BeautifulSoup(page.body, "html.parser").select_one(".territoire-guide-note")
    assert note.find("script") is None
    assert "Texte" in note.get_text()


def test_a_refused_form_saves_nothing_and_keeps_what_was_typed(app, territory):
    update(territory, step="alive", note="Avant")

    response = app.post(
        "/organization/ccmv/guide/notes",
        headers=headers(territory["people"]["epci_admin"]),
        data={
            "note-intro": "Nouveau texte",
            "note-alive": "Après",
            "links-alive": "Le site | www.ccmv.example",
        },
    )

    assert response.status_code == 200
    soup = BeautifulSoup(response.body, "html.parser")
    assert soup.select_one("#place-alive .error-block").get_text(strip=True) == (
        "Lien 1 : « www.ccmv.example » n'est pas une adresse web (elle doit "
        "commencer par https:// ou http://)."
    )
    assert soup.select_one("#note-intro").get_text() == "Nouveau texte"
    assert soup.select_one("#links-alive").get_text() == "Le site | www.ccmv.example"
    guide = guide_of(territory)
    assert guide["intro"] is None
    assert {s["id"]: s["note"] for s in guide["steps"]}["alive"]["note"] == "Avant"
