"""The readiness checklist: questions (checklist.yaml), current answers and
scores.

Score of a theme: yes = 1, in progress = 1/2, no or unanswered = 0, as a
percentage of its questions (rounded half up); the overall score is the same
over all questions. The next actions (at most ``NEXT_ACTIONS``) are those of
the questions answered "no" or not answered yet, weakest theme first (ties:
the checklist's order), in the checklist's order within a theme; a question
"in progress" is already being worked on and is not recommended again.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import yaml

CHECKLIST_FILE = Path(__file__).with_name("checklist.yaml")
ANSWERS = ("yes", "in_progress", "no")
POINTS = {"yes": 1.0, "in_progress": 0.5, "no": 0.0}
NEXT_ACTIONS = 5
# Keys of the data file (dev/i18n.py extracts title, question, description).
THEME_KEYS = ("id", "title", "questions")
QUESTION_KEYS = ("id", "question", "description")


def _checked(data: Any) -> tuple[dict[str, Any], ...]:
    """The themes of the data file, refused when an id is missing or repeated
    (answers refer to the ids) or a text is missing."""
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise ValueError(f"{CHECKLIST_FILE}: a list of themes is expected")
    seen: set[str] = set()
    for theme in data["themes"]:
        missing = [k for k in THEME_KEYS if not theme.get(k)]
        if missing:
            raise ValueError(f"{CHECKLIST_FILE}: theme {theme!r} lacks {missing}")
        for question in theme["questions"]:
            missing = [k for k in QUESTION_KEYS if not question.get(k)]
            if missing:
                raise ValueError(
                    f"{CHECKLIST_FILE}: question {question!r} lacks {missing}"
                )
        for item_id in [theme["id"]] + [q["id"] for q in theme["questions"]]:
            if item_id in seen:
                raise ValueError(f"{CHECKLIST_FILE}: id {item_id!r} is repeated")
            seen.add(item_id)
    return tuple(data["themes"])


@functools.cache
def themes() -> tuple[dict[str, Any], ...]:
    return _checked(yaml.safe_load(CHECKLIST_FILE.read_text(encoding="utf-8")))


@functools.cache
def question_ids() -> frozenset[str]:
    return frozenset(q["id"] for theme in themes() for q in theme["questions"])


def _percent(points: float, count: int) -> int:
    """Rounded half up (37.5 -> 38, 2.5 -> 3), not to the even number."""
    return math.floor(100 * points / count + 0.5) if count else 0


def score(answers: dict[str, str]) -> dict[str, Any]:
    """Scores per theme and overall, and the next actions, for the current
    answers (question id -> yes / in_progress / no)."""
    by_theme = []
    total = 0.0
    count = 0
    for theme in themes():
        points = sum(
            POINTS.get(answers.get(q["id"], ""), 0.0) for q in theme["questions"]
        )
        total += points
        count += len(theme["questions"])
        by_theme.append(
            {"id": theme["id"], "score": _percent(points, len(theme["questions"]))}
        )
    weakest_first = sorted(
        range(len(by_theme)), key=lambda index: (by_theme[index]["score"], index)
    )
    next_actions = [
        {
            "theme": themes()[index]["id"],
            "theme_title": themes()[index]["title"],
            "question": q["id"],
            "question_text": q["question"],
            "action": q["description"],
        }
        for index in weakest_first
        for q in themes()[index]["questions"]
        if answers.get(q["id"]) in (None, "", "no")
    ][:NEXT_ACTIONS]
    return {
        "score": _percent(total, count),
        "themes": by_theme,
        "next_actions": next_actions,
    }
