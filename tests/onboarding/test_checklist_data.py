"""The checklist is data (onboarding/checklist.yaml): its shape, its French
texts, and adding a question needs no code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel.support import Translations
from ckan.tests import helpers

from ckanext.opendata_territoire.onboarding import checklist

I18N = Path(checklist.__file__).parent.parent / "i18n"


@pytest.fixture
def french():
    return Translations.load(str(I18N), ["fr"], "ckanext-opendata_territoire")


def test_five_themes_of_four_to_six_questions_with_unique_ids():
    themes = checklist.themes()

    assert [(t["id"], t["title"]) for t in themes] == [
        ("leadership", "Leadership and commitment"),
        ("organisation", "Organisation and skills"),
        ("opening", "Opening the data"),
        ("citizens", "Citizen engagement"),
        ("ecosystem", "Animating the ecosystem"),
    ]
    ids = [q["id"] for t in themes for q in t["questions"]]
    assert len(ids) == len(set(ids)) == len(checklist.question_ids())
    for theme in themes:
        assert 4 <= len(theme["questions"]) <= 6, theme["id"]
        for question in theme["questions"]:
            assert set(question) == {"id", "question", "description"}
            assert question["id"] == question["id"].strip().lower()


def test_every_text_of_the_checklist_is_translated_into_french(french):
    texts = [t["title"] for t in checklist.themes()] + [
        q[key]
        for t in checklist.themes()
        for q in t["questions"]
        for key in ("question", "description")
    ]

    untranslated = [text for text in texts if french.gettext(text) == text]

    assert untranslated == []
    assert french.gettext("Citizen engagement") == "Participation citoyenne"


@pytest.mark.parametrize(
    ("points", "count", "percent"),
    [(1.5, 4, 38), (0.5, 20, 3), (2.5, 4, 63), (1, 6, 17), (0, 5, 0), (0, 0, 0)],
)
def test_percentages_are_rounded_half_up(points, count, percent):
    assert checklist._percent(points, count) == percent


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {
                "themes": [
                    {
                        "id": "a",
                        "title": "A",
                        "questions": [
                            {"id": "q", "question": "Q?", "description": "D"}
                        ],
                    }
                ]
                * 2
            },
            "'a' is repeated",
        ),
        (
            {"themes": [{"id": "a", "title": "A", "questions": []}]},
            "lacks ['questions']",
        ),
        (
            {
                "themes": [
                    {
                        "id": "a",
                        "title": "A",
                        "questions": [{"id": "q", "question": "Q?"}],
                    }
                ]
            },
            "lacks ['description']",
        ),
        ({"questions": []}, "a list of themes"),
    ],
)
def test_a_broken_data_file_is_refused(data, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        checklist._checked(data)


@pytest.fixture
def extended_checklist(tmp_path, monkeypatch):
    """checklist.yaml with one more question in the first theme."""
    data = yaml.safe_load(checklist.CHECKLIST_FILE.read_text(encoding="utf-8"))
    data["themes"][0]["questions"].append(
        {
            "id": "budget-line",
            "question": "The project has a budget line.",
            "description": "Plan the cost of the project in the next budget.",
        }
    )
    path = tmp_path / "checklist.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(checklist, "CHECKLIST_FILE", path)
    checklist.themes.cache_clear()
    checklist.question_ids.cache_clear()
    yield
    monkeypatch.undo()
    checklist.themes.cache_clear()
    checklist.question_ids.cache_clear()


@pytest.mark.usefixtures("clean_db", "clean_index", "extended_checklist")
def test_adding_a_question_is_a_data_change(territory):
    editor = territory["people"]["editor_a"]
    context = {"user": editor["name"], "ignore_auth": False}
    for question_id in ("elected-sponsor", "budget-line"):
        helpers.call_action(
            "territoire_checklist_answer",
            context=dict(context),
            id="engins",
            question_id=question_id,
            answer="yes",
        )

    result = helpers.call_action(
        "territoire_checklist_show", context=dict(context), id="engins"
    )

    leadership = result["themes"][0]
    assert [q["id"] for q in leadership["questions"]][-1] == "budget-line"
    # 2 yes out of the 5 questions of leadership now: 40 %; 2 / 24 overall.
    assert leadership["score"] == 40
    assert result["score"] == 8
