"""The readiness checklist's actions: answers stored in PostgreSQL with who
and when, history kept, scores and next actions that follow the answers, and
errors that name the field and the rule."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from freezegun import freeze_time

from ckanext.opendata_territoire.onboarding import checklist
from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def answer(user, org, question_id, value, comment=""):
    return helpers.call_action(
        "territoire_checklist_answer",
        context={"user": user["name"], "ignore_auth": False},
        id=org["name"],
        question_id=question_id,
        answer=value,
        comment=comment,
    )


def show(user, org):
    return helpers.call_action(
        "territoire_checklist_show",
        context={"user": user["name"], "ignore_auth": False},
        id=org["name"],
    )


def history(user, org, **params):
    return helpers.call_action(
        "territoire_checklist_history",
        context={"user": user["name"], "ignore_auth": False},
        id=org["name"],
        **params,
    )


def scores(result):
    return {t["id"]: t["score"] for t in result["themes"]}


def question(result, question_id):
    return next(
        q for t in result["themes"] for q in t["questions"] if q["id"] == question_id
    )


def test_an_unanswered_checklist_scores_zero_and_recommends_the_first_actions(
    territory,
):
    result = show(territory["people"]["editor_a"], territory["a"])

    assert result["organization"] == "engins"
    assert result["score"] == 0
    assert scores(result) == {
        "leadership": 0,
        "organisation": 0,
        "opening": 0,
        "citizens": 0,
        "ecosystem": 0,
    }
    # All themes tie at 0 %: the checklist's order, five actions.
    assert [a["question"] for a in result["next_actions"]] == [
        "elected-sponsor",
        "council-decision",
        "data-officer",
        "legal-obligations",
        "inventory",
    ]
    first = result["next_actions"][0]
    assert first["theme"] == "leadership"
    assert first["action"].startswith("Present the project to the mayor")
    assert question(result, "inventory")["answer"] is None


def test_the_scores_and_next_actions_follow_the_answers(territory):
    editor, org = territory["people"]["editor_a"], territory["a"]
    given = {
        # leadership, 4 questions: (1 + 0.5 + 0) / 4 = 37.5 % -> 38 %
        "elected-sponsor": "yes",
        "council-decision": "in_progress",
        "data-officer": "no",
        # organisation, 4 questions: (1 + 1 + 1 + 0.5) / 4 = 87.5 % -> 88 %
        "inventory": "yes",
        "publishers": "yes",
        "training": "yes",
        "procedure": "in_progress",
        # opening, 5 questions: 1 / 5 = 20 %
        "first-dataset": "yes",
        # citizens, 5 questions: 0.5 / 5 = 10 %
        "announced": "in_progress",
        # ecosystem, 5 questions: (1 + 1 + 0.5) / 5 = 50 %
        "reuses-known": "yes",
        "local-partners": "yes",
        "territory-events": "in_progress",
    }
    for question_id, value in given.items():
        answer(editor, org, question_id, value)

    result = show(editor, org)

    assert scores(result) == {
        "leadership": 38,
        "organisation": 88,
        "opening": 20,
        "citizens": 10,
        "ecosystem": 50,
    }
    # (1.5 + 3.5 + 1 + 0.5 + 2.5) / 23 questions = 39.1 % -> 39 %
    assert len(checklist.question_ids()) == 23
    assert result["score"] == 39
    # Weakest theme first (citizens, 10 %), then opening (20 %); questions in
    # progress ("announced") are not recommended again.
    assert [(a["theme"], a["question"]) for a in result["next_actions"]] == [
        ("citizens", "feedback"),
        ("citizens", "requests"),
        ("citizens", "plain-words"),
        ("citizens", "showcase"),
        ("opening", "national-schemas"),
    ]

    # A change moves the scores and the weakest theme.
    for question_id in ("feedback", "requests", "plain-words", "showcase"):
        answer(editor, org, question_id, "yes")
    answer(editor, org, "data-officer", "yes")

    result = show(editor, org)
    # citizens: (0.5 + 4) / 5 = 90 %; leadership: 2.5 / 4 = 62.5 % -> 63 %
    assert scores(result)["citizens"] == 90
    assert scores(result)["leadership"] == 63
    # (2.5 + 3.5 + 1 + 4.5 + 2.5) / 23 = 60.9 % -> 61 %
    assert result["score"] == 61
    assert [a["question"] for a in result["next_actions"]] == [
        "national-schemas",
        "licence",
        "updates",
        "no-personal-data",
        "shared-with-communes",
    ]


def test_everything_answered_yes_scores_100_with_no_next_action(territory):
    editor, org = territory["people"]["editor_a"], territory["a"]
    for question_id in checklist.question_ids():
        answer(editor, org, question_id, "yes")

    result = show(editor, org)

    assert result["score"] == 100
    assert set(scores(result).values()) == {100}
    assert result["next_actions"] == []


def test_answers_are_stored_in_postgresql_and_survive_a_new_session(territory):
    editor, org = territory["people"]["editor_a"], territory["a"]
    answer(
        editor, org, "inventory", "in_progress", "  Les services finances et urbanisme "
    )
    model.Session.remove()

    # Another connection than the session's: the row is committed.
    with model.meta.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT organization_id, question_id, answer, comment, user_id, "
                "created FROM territoire_checklist_answer"
            )
        ).all()
    assert len(rows) == 1
    stored = rows[0]
    assert (stored.organization_id, stored.question_id, stored.answer) == (
        org["id"],
        "inventory",
        "in_progress",
    )
    assert stored.comment == "Les services finances et urbanisme"
    assert stored.user_id == editor["id"]

    # And the action reads it back after the session is gone.
    model.Session.remove()
    read_back = question(show(territory["people"]["admin_a"], org), "inventory")
    assert read_back["answer"] == "in_progress"
    assert read_back["comment"] == "Les services finances et urbanisme"
    assert read_back["user"] == editor["name"]
    assert read_back["created"] == stored.created.isoformat()


def test_the_history_keeps_every_change_with_who_and_when(territory):
    editor, admin, org = (
        territory["people"]["editor_a"],
        territory["people"]["admin_a"],
        territory["a"],
    )
    with freeze_time("2026-03-02 09:15:00"):
        answer(editor, org, "first-dataset", "no")
    with freeze_time("2026-03-09 14:30:00"):
        answer(editor, org, "first-dataset", "in_progress", "Budget en préparation")
    with freeze_time("2026-03-16 10:00:00"):
        # Same answer, another comment: a change too.
        answer(editor, org, "first-dataset", "in_progress", "Budget presque prêt")
    with freeze_time("2026-03-23 11:45:00"):
        answer(admin, org, "first-dataset", "yes", "Le budget est en ligne")
    with freeze_time("2026-03-23 11:46:00"):
        answer(admin, org, "licence", "yes")

    rows = history(territory["people"]["member_a"], org, question_id="first-dataset")

    assert [(r["answer"], r["comment"], r["user"], r["created"]) for r in rows] == [
        ("yes", "Le budget est en ligne", admin["name"], "2026-03-23T11:45:00"),
        ("in_progress", "Budget presque prêt", editor["name"], "2026-03-16T10:00:00"),
        (
            "in_progress",
            "Budget en préparation",
            editor["name"],
            "2026-03-09T14:30:00",
        ),
        ("no", "", editor["name"], "2026-03-02T09:15:00"),
    ]
    assert rows[0]["question"] == "At least one dataset is published."
    # The whole organization's history, and its newest entries.
    assert len(history(editor, org)) == 5
    assert [r["question_id"] for r in history(editor, org, limit=2)] == [
        "licence",
        "first-dataset",
    ]
    # The current answer is the latest.
    current = question(show(editor, org), "first-dataset")
    assert (current["answer"], current["user"]) == ("yes", admin["name"])


def test_the_history_of_one_organization_is_not_anothers(territory):
    answer(territory["people"]["editor_a"], territory["a"], "inventory", "yes")
    answer(territory["people"]["editor_b"], territory["b"], "inventory", "no")

    rows_b = history(territory["people"]["editor_b"], territory["b"])

    assert [(r["answer"], r["user"]) for r in rows_b] == [
        ("no", territory["people"]["editor_b"]["name"])
    ]
    mine = show(territory["people"]["editor_a"], territory["a"])
    assert question(mine, "inventory")["answer"] == "yes"


def test_answers_are_recorded_at_the_current_utc_time(territory):
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row = answer(territory["people"]["editor_a"], territory["a"], "training", "no")
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    assert before <= dt.datetime.fromisoformat(row["created"]) <= after


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"question_id": "nope", "answer": "yes"},
            {"question_id": ['"nope" is not a question of the checklist.']},
        ),
        (
            {"question_id": "inventory", "answer": "maybe"},
            {
                "answer": [
                    '"maybe" is not an allowed answer. '
                    "Allowed answers: yes, in_progress, no."
                ]
            },
        ),
        (
            {},
            {
                "question_id": [
                    "Missing value: give the id of a question of the checklist."
                ],
                "answer": ["Missing value. Allowed answers: yes, in_progress, no."],
            },
        ),
        (
            {"question_id": "inventory", "answer": "yes", "comment": "x" * 2001},
            {"comment": ["The comment has 2001 characters: at most 2000 are allowed."]},
        ),
    ],
)
def test_a_bad_answer_names_the_field_and_the_rule(territory, data, errors):
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action(
            "territoire_checklist_answer",
            context={"user": territory["people"]["editor_a"]["name"]},
            id="engins",
            **data,
        )

    assert error.value.error_dict == errors
    assert history(territory["people"]["editor_a"], territory["a"]) == []


def test_errors_are_in_french_through_the_api(app, territory):
    response = app.post(
        "/api/3/action/territoire_checklist_answer",
        headers=headers(territory["people"]["editor_a"]),
        json={"id": "engins", "question_id": "nope", "answer": "peut-être"},
    )

    assert response.status_code == 409
    error = response.json["error"]
    assert error["question_id"] == [
        "« nope » n'est pas une question de la liste de préparation."
    ]
    assert error["answer"] == [
        "« peut-être » n'est pas une réponse autorisée. "
        "Réponses autorisées : yes, in_progress, no."
    ]


def test_the_history_refuses_an_unknown_question_and_a_bad_limit(territory):
    editor, org = territory["people"]["editor_a"], territory["a"]

    with pytest.raises(helpers.logic.ValidationError) as error:
        history(editor, org, question_id="nope")
    assert error.value.error_dict == {
        "question_id": ['"nope" is not a question of the checklist.']
    }

    with pytest.raises(helpers.logic.ValidationError) as error:
        history(editor, org, limit="zero")
    assert error.value.error_dict == {
        "limit": ["Must be a whole number from 1 to 10000."]
    }


def test_an_unknown_organization_is_not_found(territory):
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action(
            "territoire_checklist_show",
            context={"user": territory["people"]["sysadmin"]["name"]},
            id="nowhere",
        )
