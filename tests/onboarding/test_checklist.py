"""The readiness checklist: answers stored with who and when, history kept,
scores that follow the answers, and a page that works without JavaScript."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import helpers

from ckanext.opendata_territoire.onboarding import checklist
from tests.onboarding.conftest import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def answer(user, org, question_id, value, comment=""):
    return helpers.call_action(
        "territoire_checklist_answer",
        context={"user": user["name"]},
        id=org["name"],
        question_id=question_id,
        answer=value,
        comment=comment,
    )


def show(user, org):
    return helpers.call_action(
        "territoire_checklist_show", context={"user": user["name"]}, id=org["name"]
    )


def theme_score(result, theme_id):
    return next(t["score"] for t in result["themes"] if t["id"] == theme_id)


def test_an_unanswered_checklist_scores_zero_and_recommends_the_first_actions(
    territory,
):
    result = show(territory["people"]["editor_a"], territory["a"])

    assert result["score"] == 0
    assert [t["id"] for t in result["themes"]] == [
        "leadership",
        "organisation",
        "opening",
        "citizens",
        "ecosystem",
    ]
    assert len(result["next_actions"]) == 5
    assert result["next_actions"][0]["question"] == "elected-sponsor"


def test_the_score_follows_the_answers(territory):
    editor, org = territory["people"]["editor_a"], territory["a"]
    # leadership has 4 questions: yes + in progress = 1.5 / 4 = 38 %.
    answer(editor, org, "elected-sponsor", "yes")
    answer(editor, org, "council-decision", "in_progress")

    result = show(editor, org)

    assert theme_score(result, "leadership") == 38
    total = len(checklist.question_ids())
    assert result["score"] == round(100 * 1.5 / total)
    assert "elected-sponsor" not in [a["question"] for a in result["next_actions"]]

    answer(editor, org, "council-decision", "yes")

    assert theme_score(show(editor, org), "leadership") == 50


def test_answers_survive_a_new_session_with_who_and_when(territory):
    editor, org = territory["people"]["editor_a"], territory["a"]
    answer(
        editor, org, "inventory", "in_progress", "Les services finances et urbanisme"
    )
    model.Session.remove()

    question = next(
        q
        for t in show(editor, org)["themes"]
        for q in t["questions"]
        if q["id"] == "inventory"
    )

    assert question["answer"] == "in_progress"
    assert question["comment"] == "Les services finances et urbanisme"
    assert question["user"] == editor["name"]
    assert question["created"]


def test_the_history_keeps_every_answer_newest_first(territory):
    editor, admin, org = (
        territory["people"]["editor_a"],
        territory["people"]["admin_a"],
        territory["a"],
    )
    answer(editor, org, "first-dataset", "no")
    answer(admin, org, "first-dataset", "yes", "Les délibérations sont en ligne")

    history = helpers.call_action(
        "territoire_checklist_history",
        context={"user": editor["name"]},
        id=org["name"],
        question_id="first-dataset",
    )

    assert [(row["answer"], row["user"]) for row in history] == [
        ("yes", admin["name"]),
        ("no", editor["name"]),
    ]


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        (
            "question_id",
            {"question_id": "nope", "answer": "yes"},
            '"nope" is not a question of the checklist.',
        ),
        (
            "answer",
            {"question_id": "inventory", "answer": "maybe"},
            '"maybe" is not an allowed answer. Allowed answers: yes, in_progress, no.',
        ),
    ],
)
def test_a_bad_answer_names_the_field_and_the_rule(territory, field, data, message):
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action(
            "territoire_checklist_answer",
            context={"user": territory["people"]["editor_a"]["name"]},
            id="engins",
            **data,
        )

    assert error.value.error_dict == {field: [message]}


def test_the_page_saves_the_answers_of_its_form(app, territory):
    editor = territory["people"]["editor_a"]

    response = app.post(
        "/organization/engins/checklist",
        headers=headers(editor),
        data={
            "answer-elected-sponsor": "yes",
            "comment-elected-sponsor": "Le maire porte le projet",
            "answer-data-officer": "in_progress",
        },
        follow_redirects=False,
    )

    assert response.status_code == 302
    page = app.get("/organization/engins/checklist", headers=headers(editor))
    soup = BeautifulSoup(page.body, "html.parser")
    assert soup.select_one(
        'input[name="answer-elected-sponsor"][value="yes"]'
    ).has_attr("checked")
    assert soup.select_one('input[name="comment-elected-sponsor"]')["value"] == (
        "Le maire porte le projet"
    )
    text = " ".join(soup.get_text(" ").split())
    assert "Liste de préparation" in text
    assert "Leadership et engagement : 38 %" in text
