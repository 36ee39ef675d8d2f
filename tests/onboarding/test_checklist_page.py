"""The checklist page: a plain HTML form (no JavaScript) inside the
organization's pages, in French, whose POST stores the changed answers."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from ckanext.opendata_territoire.onboarding import checklist
from ckanext.opendata_territoire.onboarding import model as answers
from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

URL = "/organization/engins/checklist"


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


def current(org, question_id):
    row = answers.current(org["id"]).get(question_id)
    return (row.answer, row.comment) if row else None


def test_the_form_has_every_question_grouped_by_theme(app, territory):
    page = app.get(URL, headers=headers(territory["people"]["editor_a"]))
    soup = soup_of(page)
    form = soup.select_one("form.territoire-checklist")

    assert form["method"] == "post"
    # CKAN's CSRF token, and no script needed.
    assert form.select_one('input[type="hidden"][name="_csrf_token"]')
    assert not form.find("script")
    for theme in checklist.themes():
        heading = soup.select_one(f"h2#theme-{theme['id']}")
        assert heading is not None
        for question in theme["questions"]:
            radios = form.select(f'input[type="radio"][name="answer-{question["id"]}"]')
            assert [r["value"] for r in radios] == ["yes", "in_progress", "no"]
            assert form.select_one(f'input[name="comment-{question["id"]}"]')
    assert len(form.select("fieldset")) == len(checklist.question_ids())
    assert form.select_one('button[type="submit"]')


def test_the_page_is_an_organization_page_in_french(app, territory):
    page = app.get(URL, headers=headers(territory["people"]["editor_a"]))
    soup = soup_of(page)
    text = text_of(soup)

    # The organization's own page: its breadcrumb, CKAN's tabs and ours, the
    # checklist's tab active.
    assert soup.title.get_text().startswith("Liste de préparation - Engins")
    assert soup.select_one('.breadcrumb a[href="/organization/engins"]')
    tabs = [a["href"] for a in soup.select("ul.nav-tabs li a")]
    assert "/organization/engins" in tabs
    assert "/organization/members/engins" in tabs
    assert "/organization/engins/guide" in tabs
    active = soup.select_one("ul.nav-tabs li.active a")
    assert active["href"] == URL
    assert "Bien démarrer" in text
    # French texts of the page and of the data file.
    for expected in (
        "Liste de préparation",
        "Où en est Engins : prête à 0 %.",
        "Scores par thème",
        "Leadership et engagement : 0 %",
        "Organisation et compétences : 0 %",
        "Ouverture des données : 0 %",
        "Participation citoyenne : 0 %",
        "Animation de l'écosystème : 0 %",
        "Prochaines étapes",
        "Un élu porte le projet d'ouverture des données.",
        "Présentez le projet au maire ou à un adjoint",
        "Oui",
        "En cours",
        "Non",
        "Commentaire",
        "Enregistrer les réponses",
    ):
        assert expected in text, expected


def test_the_page_is_in_english_under_en(app, territory):
    page = app.get("/en" + URL, headers=headers(territory["people"]["editor_a"]))
    text = text_of(soup_of(page))

    assert "Readiness checklist" in text
    assert "Leadership and commitment : 0 %" in text
    assert "An elected official sponsors the open data project." in text


def test_a_post_round_trip_stores_the_answers_and_shows_them(app, territory):
    editor, org = territory["people"]["editor_a"], territory["a"]

    response = app.post(
        URL,
        headers=headers(editor),
        data={
            "answer-elected-sponsor": "yes",
            "comment-elected-sponsor": "Le maire porte le projet",
            "answer-data-officer": "in_progress",
            "comment-data-officer": "",
            "answer-announced": "no",
            "comment-inventory": "",
        },
    )

    assert response.status_code == 200
    soup = soup_of(response)
    text = text_of(soup)
    assert "Réponses enregistrées : 3." in text
    assert current(org, "elected-sponsor") == ("yes", "Le maire porte le projet")
    assert current(org, "data-officer") == ("in_progress", "")
    assert current(org, "announced") == ("no", "")
    assert current(org, "inventory") is None
    assert soup.select_one(
        'input[name="answer-elected-sponsor"][value="yes"]'
    ).has_attr("checked")
    assert soup.select_one(
        'input[name="answer-data-officer"][value="in_progress"]'
    ).has_attr("checked")
    assert not soup.select('input[name="answer-inventory"][checked]')
    assert soup.select_one('input[name="comment-elected-sponsor"]')["value"] == (
        "Le maire porte le projet"
    )
    # leadership: (1 + 0.5) / 4 = 37.5 % -> 38 %; overall 1.5 / 23 -> 7 %.
    assert "Leadership et engagement : 38 %" in text
    assert "Où en est Engins : prête à 7 %." in text
    assert f"Réponse de {editor['fullname']}" in text
    assert "Dernières réponses" in text


def test_sending_the_same_form_again_stores_nothing_new(app, territory):
    editor, org = territory["people"]["editor_a"], territory["a"]
    form = {"answer-training": "no", "comment-training": "À prévoir"}
    app.post(URL, headers=headers(editor), data=form)

    response = app.post(URL, headers=headers(editor), data=form)

    assert "Aucune réponse n'a changé." in text_of(soup_of(response))
    assert len(answers.history(org["id"])) == 1

    # A new comment alone is a change.
    app.post(
        URL,
        headers=headers(editor),
        data={"answer-training": "no", "comment-training": "Formation en mai"},
    )
    assert [row.comment for row in answers.history(org["id"])] == [
        "Formation en mai",
        "À prévoir",
    ]


def test_a_bad_form_stores_nothing_and_says_why_next_to_the_question(app, territory):
    editor, org = territory["people"]["editor_a"], territory["a"]

    response = app.post(
        URL,
        headers=headers(editor),
        data={
            "answer-elected-sponsor": "yes",
            "answer-inventory": "peut-etre",
            "comment-training": "Sans réponse",
        },
    )

    assert response.status_code == 200
    soup = soup_of(response)
    assert "Rien n'a été enregistré" in text_of(soup)
    assert "« peut-etre » n'est pas une réponse autorisée" in text_of(
        soup.select_one("#question-inventory")
    )
    assert "Choisissez une réponse pour enregistrer ce commentaire." in text_of(
        soup.select_one("#question-training")
    )
    # What was sent is kept in the form.
    assert soup.select_one(
        'input[name="answer-elected-sponsor"][value="yes"]'
    ).has_attr("checked")
    assert soup.select_one('input[name="comment-training"]')["value"] == (
        "Sans réponse"
    )
    # All or nothing.
    assert answers.history(org["id"]) == []


def test_the_next_steps_on_top_follow_the_answers(app, territory):
    editor = territory["people"]["editor_a"]
    for question_id in ("elected-sponsor", "council-decision", "data-officer"):
        helpers.call_action(
            "territoire_checklist_answer",
            context={"user": editor["name"]},
            id="engins",
            question_id=question_id,
            answer="yes",
        )

    soup = soup_of(app.get(URL, headers=headers(editor)))
    steps = [
        " ".join(li.get_text(" ").split())
        for li in soup.select("ol.territoire-next-actions li")
    ]

    # leadership is at 75 %: the next steps start with organisation (0 %).
    assert len(steps) == 5
    assert steps[0].startswith("Organisation et compétences — Faites un inventaire")
    assert not any("Leadership" in step for step in steps)
    # The summary comes before the form.
    summary = soup.select_one("section.territoire-checklist-summary")
    form = soup.select_one("form.territoire-checklist")
    assert summary.sourceline < form.sourceline


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
def test_a_browser_session_sends_the_form_with_its_csrf_token(app, territory):
    """Logged in with a password (a cookie, no API token), as in a browser,
    with CSRF protection on (test.ini turns it off): the form's token is what
    lets the POST through."""
    password = "Vercors-2026-secret"
    user = factories.User(password=password)
    helpers.call_action(
        "organization_member_create",
        id="engins",
        username=user["name"],
        role="editor",
    )
    # One client, so that its session cookie lasts from a request to the next.
    browser = app.test_client()

    def page(response):
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")

    login = page(browser.get("/user/login"))
    browser.post(
        "/user/login",
        data={
            "login": user["name"],
            "password": password,
            "_csrf_token": login.select_one('input[name="_csrf_token"]')["value"],
        },
    )
    form = page(browser.get(URL)).select_one("form.territoire-checklist")
    token = form.select_one('input[name="_csrf_token"]')["value"]

    refused = browser.post(URL, data={"answer-licence": "yes"})
    assert refused.status_code == 400
    assert "CSRF" in refused.get_data(as_text=True)
    assert answers.history(territory["a"]["id"]) == []

    sent = browser.post(
        URL,
        data={"answer-licence": "yes", "_csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 302
    assert current(territory["a"], "licence") == ("yes", "")
    assert answers.history(territory["a"]["id"])[0].user_id == user["id"]
