"""The readiness checklist: questions (checklist.yaml), current answers and
scores.

Score of a theme: yes = 1, in progress = 1/2, no or unanswered = 0, as a
percentage of its questions; the overall score is the same over all
questions. The next actions are those of the questions not answered "yes",
weakest theme first.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

CHECKLIST_FILE = Path(__file__).with_name("checklist.yaml")
ANSWERS = ("yes", "in_progress", "no")
POINTS = {"yes": 1.0, "in_progress": 0.5, "no": 0.0}
NEXT_ACTIONS = 5


@functools.cache
def themes() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(CHECKLIST_FILE.read_text(encoding="utf-8"))
    return tuple(data["themes"])


@functools.cache
def question_ids() -> frozenset[str]:
    return frozenset(q["id"] for theme in themes() for q in theme["questions"])


def _percent(points: float, count: int) -> int:
    return round(100 * points / count) if count else 0


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
            "question": q["id"],
            "action": q["description"],
        }
        for index in weakest_first
        for q in themes()[index]["questions"]
        if answers.get(q["id"]) != "yes"
    ][:NEXT_ACTIONS]
    return {
        "score": _percent(total, count),
        "themes": by_theme,
        "next_actions": next_actions,
    }
