"""The licence chooser: the questions and rules of recommendation.yaml turned
into a recommended licence with its reasons and legal references."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

from ckanext.opendata_territoire.licences import register

# Texts of the data file are msgids: translated where they are shown.
translate = tk._

RULES_FILE = Path(__file__).with_name("recommendation.yaml")
FEE_LICENCE = "fee-licence"


def _check(data: Any) -> dict[str, Any]:
    """The chooser of the data file, refused (file and entry named) when a
    rule names an unknown question or answer, or a question is incomplete."""
    if not isinstance(data, dict) or not data.get("questions") or not data.get("rules"):
        raise ValueError(f"{RULES_FILE}: questions and rules are expected")
    answers: dict[str, set[str]] = {}
    for question in data["questions"]:
        values = {str(a.get("value")) for a in question.get("answers") or []}
        if not question.get("id") or not question.get("question") or not values:
            raise ValueError(f"{RULES_FILE}: question {question!r} is incomplete")
        if str(question.get("default")) not in values:
            raise ValueError(f"{RULES_FILE}: question {question['id']!r}: bad default")
        if question["id"] in answers:
            raise ValueError(f"{RULES_FILE}: question {question['id']!r} is repeated")
        answers[question["id"]] = values
    conditions = [rule.get("when") or {} for rule in data["rules"]] + [
        reason.get("when") or {}
        for rule in data["rules"]
        for reason in [*rule.get("reasons", []), *rule.get("if_none", [])]
    ]
    for when in conditions:
        for question_id, values in when.items():
            unknown = {str(v) for v in values} - answers.get(question_id, set())
            if question_id not in answers or unknown:
                raise ValueError(
                    f"{RULES_FILE}: condition {question_id}: {values} names an "
                    "unknown question or answer"
                )
    if data["rules"][-1].get("when"):
        raise ValueError(f"{RULES_FILE}: the last rule must match any answers")
    return data


@functools.cache
def chooser() -> dict[str, Any]:
    return _check(yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")))


def questions() -> list[dict[str, Any]]:
    return chooser()["questions"]


def defaults() -> dict[str, str]:
    return {q["id"]: str(q["default"]) for q in questions()}


def checked_answers(data: dict[str, Any]) -> dict[str, str]:
    """The answers of ``data`` with the defaults of the questions not
    answered, or a ValidationError naming each unknown question or answer."""
    known = {q["id"]: [str(a["value"]) for a in q["answers"]] for q in questions()}
    errors: dict[str, list[str]] = {}
    answers = defaults()
    for key, value in data.items():
        if key not in known:
            errors[key] = [
                tk._("Unknown question. Questions: {questions}.").format(
                    questions=", ".join(known)
                )
            ]
            continue
        if value in (None, ""):
            continue
        if str(value) not in known[key]:
            errors[key] = [
                tk._(
                    '"{value}" is not an answer to this question. Answers: {allowed}.'
                ).format(value=value, allowed=", ".join(known[key]))
            ]
            continue
        answers[key] = str(value)
    if errors:
        raise tk.ValidationError(errors)
    return answers


def _matches(when: dict[str, Any] | None, answers: dict[str, str]) -> bool:
    return all(
        answers.get(question) in {str(v) for v in values}
        for question, values in (when or {}).items()
    )


def _reasons(entries: list[dict[str, Any]], answers: dict[str, str]) -> list[dict]:
    return [
        {"reason": translate(entry["reason"]), "reference": entry["reference"]}
        for entry in entries
        if _matches(entry.get("when"), answers)
    ]


def _fee_licence() -> register.Licence | None:
    return next(
        (e for e in register.licences() if e.homologated and e.allows_fee), None
    )


def recommend(answers: dict[str, str]) -> dict[str, Any]:
    """The recommendation for checked answers: ``licence`` (the register's
    licence, or None when none can be recommended), ``rule`` (the id of the
    rule that matched), ``reasons`` (each with its ``reason`` and legal
    ``reference``) and the ``answers``."""
    rule = next(r for r in chooser()["rules"] if _matches(r.get("when"), answers))
    reasons = _reasons(rule["reasons"], answers)
    if rule.get("licence") == FEE_LICENCE:
        entry = _fee_licence()
        if entry is None:
            reasons += _reasons(rule.get("if_none", []), answers)
    else:
        entry = register.licence(rule.get("licence"))
    language = register.current_language()
    return {
        "licence": entry.as_dict(language) if entry else None,
        "rule": rule["id"],
        "reasons": reasons,
        "answers": answers,
    }
