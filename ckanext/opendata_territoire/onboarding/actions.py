"""Onboarding actions: the readiness checklist and the starter datasets
(registered with @registry.action)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as ckan_model

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.onboarding import (
    checklist,
    dashboard,
    guide,
    starters,
)
from ckanext.opendata_territoire.onboarding import model as answers
from ckanext.opendata_territoire.territory import roles

# Texts of the data files are msgids: translated where they are shown.
translate = tk._


UNANSWERED = {
    "answer": None,
    "comment": "",
    "user": None,
    "user_display_name": None,
    "created": None,
}
COMMENT_MAX_LENGTH = 2000


def _unknown_question(value: str) -> str:
    return tk._('"{value}" is not a question of the checklist.').format(value=value)


def _checked_answer(data_dict: dict[str, Any]) -> tuple[str, str, str]:
    """question_id, answer and comment of an answer, or a ValidationError
    naming each wrong field and its rule."""
    question_id = data_dict.get("question_id")
    answer = data_dict.get("answer")
    comment = data_dict.get("comment")
    allowed = ", ".join(checklist.ANSWERS)
    errors: dict[str, list[str]] = {}
    if question_id in (None, ""):
        errors["question_id"] = [
            tk._("Missing value: give the id of a question of the checklist.")
        ]
    elif str(question_id) not in checklist.question_ids():
        errors["question_id"] = [_unknown_question(str(question_id))]
    if answer in (None, ""):
        errors["answer"] = [
            tk._("Missing value. Allowed answers: {allowed}.").format(allowed=allowed)
        ]
    elif answer not in checklist.ANSWERS:
        errors["answer"] = [
            tk._(
                '"{value}" is not an allowed answer. Allowed answers: {allowed}.'
            ).format(value=answer, allowed=allowed)
        ]
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        errors["comment"] = [tk._("The comment must be text.")]
    elif len(comment.strip()) > COMMENT_MAX_LENGTH:
        errors["comment"] = [
            tk._(
                "The comment has {length} characters: at most {maximum} are allowed."
            ).format(length=len(comment.strip()), maximum=COMMENT_MAX_LENGTH)
        ]
    if errors:
        raise tk.ValidationError(errors)
    return str(question_id), str(answer), str(comment).strip()


# The most rows a history gives at once (PostgreSQL's LIMIT takes 64-bit
# integers: a larger number was a server error).
HISTORY_LIMIT = 10000


def _limit(value: Any) -> int | None:
    """None (no limit) or a whole number from 1 to HISTORY_LIMIT."""
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError, OverflowError):
        limit = 0
    if not 1 <= limit <= HISTORY_LIMIT:
        raise tk.ValidationError(
            {
                "limit": [
                    tk._("Must be a whole number from 1 to {maximum}.").format(
                        maximum=HISTORY_LIMIT
                    )
                ]
            }
        )
    return limit


def _organization(data_dict: dict[str, Any]) -> ckan_model.Group:
    org_id = data_dict.get("id") or data_dict.get("organization")
    org = roles.organization(str(org_id)) if org_id else None
    if org is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return org


@registry.action
@tk.side_effect_free
def territoire_checklist_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The readiness checklist of an organization with its current answers,
    its scores and the next recommended actions.

    Scores are percentages (yes = 1, in progress = 1/2, no or unanswered =
    0), per theme and overall; ``next_actions`` are at most five actions of
    the questions answered "no" or not answered, weakest theme first.

    :param id: id or name of the organization
    :returns: ``{"organization", "score", "themes": [{"id", "title", "score",
        "questions": [{"id", "question", "action", "answer", "comment", "user",
        "user_display_name", "created"}]}], "next_actions": [{"theme",
        "theme_title", "question", "question_text", "action"}]}``
    """
    org = _organization(data_dict)
    tk.check_access("territoire_checklist_show", context, {"id": org.id})
    given = answers.current(org.id)
    scores = checklist.score({q: str(row.answer) for q, row in given.items()})
    theme_scores = {theme["id"]: theme["score"] for theme in scores["themes"]}
    themes = []
    for theme in checklist.themes():
        questions = []
        for question in theme["questions"]:
            row = given.get(question["id"])
            questions.append(
                {
                    "id": question["id"],
                    "question": translate(question["question"]),
                    "action": translate(question["description"]),
                    **(row.as_dict() if row else UNANSWERED),
                }
            )
        themes.append(
            {
                "id": theme["id"],
                "title": translate(theme["title"]),
                "score": theme_scores[theme["id"]],
                "questions": questions,
            }
        )
    return {
        "organization": org.name,
        "score": scores["score"],
        "themes": themes,
        "next_actions": [
            {
                **action,
                "theme_title": translate(action["theme_title"]),
                "question_text": translate(action["question_text"]),
                "action": translate(action["action"]),
            }
            for action in scores["next_actions"]
        ],
    }


@registry.action
def territoire_checklist_answer(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Record an organization's answer to one question of the checklist (the
    earlier answers stay in the history).

    :param id: id or name of the organization
    :param question_id: a question id of the checklist
    :param answer: ``yes``, ``in_progress`` or ``no``
    :param comment: optional text
    :returns: the stored answer, with who gave it and when
    """
    org = _organization(data_dict)
    tk.check_access("territoire_checklist_answer", context, {"id": org.id})
    question_id, answer, comment = _checked_answer(data_dict)
    user = ckan_model.User.get(context.get("user") or "")
    row = answers.record(
        org.id,
        question_id,
        answer,
        comment,
        user.id if user else None,
        commit=not context.get("defer_commit"),
    )
    return row.as_dict()


@registry.action
@tk.side_effect_free
def territoire_checklist_history(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every answer an organization gave, newest first, with who and when.

    :param id: id or name of the organization
    :param question_id: only this question (optional)
    :param limit: only the ``limit`` newest answers (optional)
    :returns: ``[{"question_id", "question", "answer", "comment", "user",
        "user_display_name", "created"}]`` (``created``: ISO 8601, UTC)
    """
    org = _organization(data_dict)
    tk.check_access("territoire_checklist_history", context, {"id": org.id})
    question_id = str(data_dict.get("question_id") or "") or None
    if question_id is not None and question_id not in checklist.question_ids():
        raise tk.ValidationError({"question_id": [_unknown_question(question_id)]})
    limit = _limit(data_dict.get("limit"))
    texts = {q["id"]: q["question"] for t in checklist.themes() for q in t["questions"]}
    return [
        {
            **row.as_dict(),
            # Answers to a question since removed from the checklist keep
            # their id only.
            "question": translate(texts[row.question_id])
            if row.question_id in texts
            else None,
        }
        for row in answers.history(org.id, question_id, limit)
    ]


@registry.action
def territoire_starter_dataset_create(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Create one of the priority datasets of the guide for an organization,
    as a private draft pre-filled with its national schema, themes, frequency
    and legal basis.

    :param id: id or name of the organization
    :param starter: ``deliberations``, ``budget``, ``subventions``,
        ``marches-publics``, ``menus`` or ``equipements``
    :returns: the created dataset
    """
    org = _organization(data_dict)
    tk.check_access("territoire_starter_dataset_create", context, {"id": org.id})
    org_dict = tk.get_action("organization_show")(
        {"ignore_auth": True}, {"id": org.id, "include_datasets": False}
    )
    return starters.create_draft(
        {"user": context.get("user")}, org_dict, str(data_dict.get("starter") or "")
    )


@registry.action
@tk.side_effect_free
def territoire_dashboard_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The territory dashboard of an EPCI: every member commune with its
    checklist score, number of public datasets, priority datasets present,
    last update and whether the law obliges it to publish.

    :param id: id or name of the EPCI's organization
    :returns: ``{"epci", "members": [...], "average_checklist_score",
        "public_datasets"}``
    """
    org = _organization(data_dict)
    tk.check_access("territoire_dashboard_show", context, {"id": org.id})
    epci = tk.get_action("organization_show")(
        {"ignore_auth": True}, {"id": org.id, "include_datasets": False}
    )
    if not roles.is_epci(epci):
        raise tk.ValidationError(
            {
                "id": [
                    tk._(
                        '"{value}" is not an intercommunality (EPCI): only an '
                        "EPCI has a territory dashboard."
                    ).format(value=epci["name"])
                ]
            }
        )
    return dashboard.dashboard(epci)


def _guide_epci(org: ckan_model.Group) -> ckan_model.Group | None:
    """The EPCI whose notes a member's guide shows (the EPCI's own guide shows
    its own)."""
    if roles.is_epci(org):
        return org
    return roles.epci_of(org)


def _step_action(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": translate(action["label"]),
        "description": translate(action["description"])
        if action.get("description")
        else None,
        "kind": action.get("kind", "link"),
        "route": action.get("route"),
        "href": action.get("href"),
    }


@registry.action
@tk.side_effect_free
def territoire_guide_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The onboarding guide of an organization: its four steps with their
    actions, and the notes its intercommunality's administrators added (above
    the steps and to each step).

    :param id: id or name of the organization
    :returns: ``{"organization", "epci", "intro": note or None, "steps":
        [{"id", "title", "description", "actions", "note": note or None}]}``
        where a note is ``{"step", "note", "links": [{"label", "url"}],
        "user", "user_display_name", "created"}``
    """
    org = _organization(data_dict)
    tk.check_access("territoire_guide_show", context, {"id": org.id})
    epci = _guide_epci(org)
    notes = guide.current(epci.id) if epci else {}

    def note(place: str) -> dict[str, Any] | None:
        row = notes.get(place)
        return row.as_dict() if row and (row.note or row.links != "[]") else None

    return {
        "organization": org.name,
        "epci": epci.name if epci else None,
        "intro": note(guide.INTRO),
        "steps": [
            {
                "id": step["id"],
                "title": translate(step["title"]),
                "description": translate(step["description"]),
                "actions": [_step_action(action) for action in step["actions"]],
                "note": note(step["id"]),
            }
            for step in guide.steps()
        ],
    }


def _epci(data_dict: dict[str, Any]) -> ckan_model.Group:
    org = _organization(data_dict)
    if not roles.is_epci(org):
        raise tk.ValidationError(
            {
                "id": [
                    tk._(
                        '"{value}" is not an intercommunality (EPCI): only an '
                        "EPCI adds notes to its members' guide."
                    ).format(value=org.name)
                ]
            }
        )
    return org


@registry.action
def territoire_guide_note_update(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Set the note an intercommunality shows to its members above their guide
    (``step`` = ``intro``) or in one of its steps. A key left out keeps its
    current value; an empty note without links removes the note from the
    guide. The earlier versions stay in the history.

    :param id: id or name of the EPCI's organization
    :param step: ``intro``, ``validate``, ``strategy``, ``prepare`` or ``alive``
    :param note: text (Markdown), at most 5,000 characters
    :param links: list of ``{"label", "url"}`` (http or https), at most 10
    :returns: the stored note, with who saved it and when
    """
    org = _organization(data_dict)
    tk.check_access("territoire_guide_note_update", context, {"id": org.id})
    epci = _epci(data_dict)
    step = str(data_dict.get("step") or "")
    before = guide.current(epci.id).get(step)
    given = dict(data_dict)
    if before is not None:
        given.setdefault("note", before.note)
        given.setdefault("links", before.links)
    step, note, links = guide.checked_note(given)
    user = ckan_model.User.get(context.get("user") or "")
    return guide.record(epci.id, step, note, links, user.id if user else None).as_dict()


@registry.action
@tk.side_effect_free
def territoire_guide_note_history(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every version of the notes of an intercommunality's guide, newest first.

    :param id: id or name of the EPCI's organization
    :param step: only this place of the guide (optional)
    :param limit: only the ``limit`` newest versions (optional)
    :returns: ``[{"step", "note", "links", "user", "user_display_name",
        "created"}]``
    """
    org = _organization(data_dict)
    tk.check_access("territoire_guide_note_history", context, {"id": org.id})
    epci = _epci(data_dict)
    step = str(data_dict.get("step") or "") or None
    if step is not None and step not in guide.note_places():
        raise tk.ValidationError({"step": [guide.unknown_step(step)]})
    limit = _limit(data_dict.get("limit"))
    return [row.as_dict() for row in guide.history(epci.id, step, limit)]


@registry.action
def territoire_agents_update(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Sets a commune's number of agents, with the date it was counted and
    its source (what the law's obligation to publish depends on, with the
    population); its admins or its EPCI's admins, from the dashboard.

    :param id: id or name of the commune's organization
    :param agents_count: a whole number, 0 or more
    :param agents_count_date: the day it was counted (YYYY-MM-DD; optional)
    :param agents_count_source: where it comes from (optional)
    :returns: the organization's ``agents_count``, ``agents_count_date``,
        ``agents_count_source`` and ``obliged`` (True, False or None)
    """
    org = _organization(data_dict)
    tk.check_access("territoire_agents_update", context, {"id": org.id})
    errors: dict[str, list[str]] = {}
    raw = str(data_dict.get("agents_count") or "").strip().replace(" ", "")
    if not raw.isdigit():
        errors["agents_count"] = [
            tk._(
                '"{value}" is not a number of agents: a whole number, 0 or more.'
            ).format(value=data_dict.get("agents_count") or "")
        ]
    date = str(data_dict.get("agents_count_date") or "").strip()
    if date:
        try:
            date = dt.date.fromisoformat(date).isoformat()
        except ValueError:
            errors["agents_count_date"] = [
                tk._(
                    '"{value}" is not a date: expected YYYY-MM-DD, eg. 2024-12-31.'
                ).format(value=date)
            ]
    source = str(data_dict.get("agents_count_source") or "").strip()[:200]
    if errors:
        raise tk.ValidationError(errors)
    updated = tk.get_action("organization_patch")(
        {"ignore_auth": True, "user": context.get("user")},
        {
            "id": org.id,
            "agents_count": int(raw),
            "agents_count_date": date,
            "agents_count_source": source,
        },
    )
    return {
        "agents_count": updated.get("agents_count"),
        "agents_count_date": updated.get("agents_count_date"),
        "agents_count_source": updated.get("agents_count_source"),
        "obliged": dashboard.obliged(updated),
    }
