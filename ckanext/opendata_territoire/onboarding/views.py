"""Pages of a commune's onboarding: the guide (with its starter datasets) and
the readiness checklist. Plain HTML forms: they work without JavaScript."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, Response

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.onboarding import (
    checklist,
    dashboard,
    guide,
    starters,
)
from ckanext.opendata_territoire.territory import roles

blueprint = Blueprint("territoire_onboarding", __name__)
# The checklist page lists the latest answers given.
RECENT_CHANGES = 10
# The guide's edit page lists the latest notes saved.
RECENT_NOTES = 10


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def _organization_or_abort(id: str, auth: str) -> dict[str, Any]:
    try:
        tk.check_access(auth, _context(), {"id": id})
        return tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": id, "include_datasets": False}
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(
            403,
            tk._(
                "Only the members of this organization and the administrators "
                "of its intercommunality can see its onboarding."
            ),
        )


def _action_link(action: dict[str, Any], org: dict[str, Any]) -> str | None:
    if "href" in action:
        return action["href"]
    route = action.get("route")
    if not route:
        return None
    if route == "dataset.new":
        return tk.h.url_for(route, group=org["id"])
    if route in ("harvest.search", "territoire_licences.index"):
        return tk.h.url_for(route)
    return tk.h.url_for(route, id=org["name"])


# Who may follow a step's link: the auth function its page checks (a link
# the user may not follow would answer "403 Forbidden").
ROUTE_AUTH = {
    "organization.member_new": ("organization_member_create", "id"),
    "organization.edit": ("organization_update", "id"),
    "dataset.new": ("package_create", "owner_org"),
    "territoire_usage.usage_page": ("territoire_usage_show", "id"),
    "territoire_onboarding.checklist_page": ("territoire_checklist_show", "id"),
}


def _may_follow(action: dict[str, Any], org: dict[str, Any]) -> bool:
    auth = ROUTE_AUTH.get(action.get("route") or "")
    if auth is None:
        return True
    name, key = auth
    return bool(tk.h.check_access(name, {key: org["id"]}))


def _admins(org: dict[str, Any]) -> list[str]:
    """The display names of the organization's administrators."""
    shown = tk.get_action("organization_show")(
        {"ignore_auth": True},
        {"id": org["id"], "include_users": True, "include_datasets": False},
    )
    return sorted(
        str(u.get("display_name") or u.get("name"))
        for u in shown.get("users") or []
        if u.get("capacity") == "admin"
    )


@blueprint.route("/organization/<id>/guide")
def guide_page(id: str) -> str:
    org = _organization_or_abort(id, "territoire_guide_show")
    data = tk.get_action("territoire_guide_show")(_context(), {"id": org["id"]})
    can_act = tk.h.check_access("territoire_starter_dataset_create", {"id": org["id"]})
    notes = {step["id"]: step["note"] for step in data["steps"]}
    steps = [
        {
            **step,
            "note": notes[step["id"]],
            "actions": [
                {
                    **action,
                    "link": _action_link(action, org),
                    "allowed": _may_follow(action, org),
                }
                for action in step["actions"]
            ],
        }
        for step in guide.steps()
    ]
    epci = data["epci"]
    return tk.render(
        "onboarding/guide.html",
        {
            "group_dict": org,
            "group_type": "organization",
            "steps": steps,
            "intro": data["intro"],
            "epci": tk.get_action("organization_show")(
                {"ignore_auth": True}, {"id": epci, "include_datasets": False}
            )
            if epci
            else None,
            "can_curate": bool(epci)
            and tk.h.check_access("territoire_guide_note_update", {"id": epci}),
            "starters": starters.starters(),
            "existing": starters.existing(org["id"]),
            "can_act": can_act,
            "admins": _admins(org),
        },
    )


@blueprint.route("/organization/<id>/guide/starter", methods=["POST"])
def create_starter(id: str) -> Any:
    org = _organization_or_abort(id, "territoire_starter_dataset_create")
    try:
        dataset = tk.get_action("territoire_starter_dataset_create")(
            _context(), {"id": org["id"], "starter": tk.request.form.get("starter")}
        )
    except tk.ValidationError as error:
        for messages in error.error_dict.values():
            tk.h.flash_error(" ".join(map(str, messages)))
        return tk.redirect_to("territoire_onboarding.guide_page", id=org["name"])
    tk.h.flash_success(
        tk._("The draft is created: complete it, then make it public when it is ready.")
    )
    return tk.redirect_to("dataset.edit", id=dataset["name"])


def _sent_note(place: str) -> dict[str, Any]:
    form = tk.request.form
    return {
        "note": (form.get(f"note-{place}") or "").strip(),
        "links": guide.parse_link_lines(form.get(f"links-{place}") or ""),
    }


def _save_notes(epci: dict[str, Any], notes: dict[str, Any]) -> dict[str, list[str]]:
    """Store the notes of the form that changed, after checking all of them:
    the errors by place (nothing stored) when one is refused."""
    changed = {}
    errors: dict[str, list[str]] = {}
    for place in guide.note_places():
        sent = _sent_note(place)
        before = notes.get(place) or {"note": "", "links": []}
        if (sent["note"], sent["links"]) == (before["note"], before["links"]):
            continue
        try:
            guide.checked_note({"step": place, **sent})
        except tk.ValidationError as error:
            errors[place] = [
                str(message)
                for messages in error.error_dict.values()
                for message in (messages if isinstance(messages, list) else [messages])
            ]
        changed[place] = sent
    if errors:
        return errors
    for place, sent in changed.items():
        tk.get_action("territoire_guide_note_update")(
            _context(), {"id": epci["id"], "step": place, **sent}
        )
    tk.h.flash_success(
        tk._("Notes saved: {count}.").format(count=len(changed))
        if changed
        else tk._("No note changed.")
    )
    return {}


@blueprint.route("/organization/<id>/guide/notes", methods=["GET", "POST"])
def guide_notes_page(id: str) -> Any:
    """The notes the EPCI's administrators add to their members' guide, as a
    plain form: one text and a list of links per place of the guide. A POST
    stores the notes that changed, all or none."""
    org = roles.organization(id)
    if org is None:
        return tk.abort(404, tk._("Organization not found"))
    if not roles.is_epci(org):
        return tk.abort(
            404,
            tk._("Only an intercommunality (EPCI) adds notes to its members' guide."),
        )
    if not tk.h.check_access("territoire_guide_note_update", {"id": org.id}):
        return tk.abort(
            403,
            tk._(
                "Only the administrators of the intercommunality can edit the "
                "notes of its members' guide."
            ),
        )
    epci = tk.get_action("organization_show")(
        {"ignore_auth": True}, {"id": org.id, "include_datasets": False}
    )
    data = tk.get_action("territoire_guide_show")(_context(), {"id": epci["id"]})
    notes = {"intro": data["intro"], **{s["id"]: s["note"] for s in data["steps"]}}
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        errors = _save_notes(epci, notes)
        if not errors:
            return tk.redirect_to("territoire_onboarding.guide_page", id=epci["name"])
        tk.h.flash_error(tk._("Nothing was saved: correct the notes marked below."))
    places = [{"id": guide.INTRO, "title": tk._("Above the four steps")}] + [
        {"id": step["id"], "title": step["title"]} for step in data["steps"]
    ]
    for place in places:
        if errors:
            form = tk.request.form
            place["note"] = form.get(f"note-{place['id']}") or ""
            place["links"] = form.get(f"links-{place['id']}") or ""
        else:
            note = notes.get(place["id"]) or {"note": "", "links": []}
            place["note"] = note["note"]
            place["links"] = guide.link_lines(note["links"])
    return tk.render(
        "onboarding/guide_notes.html",
        {
            "group_dict": epci,
            "group_type": "organization",
            "places": places,
            "place_titles": {place["id"]: place["title"] for place in places},
            "errors": errors,
            "history": tk.get_action("territoire_guide_note_history")(
                _context(), {"id": epci["id"], "limit": RECENT_NOTES}
            ),
            "note_max_length": guide.NOTE_MAX_LENGTH,
            "links_max": guide.LINKS_MAX,
        },
    )


@blueprint.route("/organization/<id>/checklist", methods=["GET", "POST"])
def checklist_page(id: str) -> Any:
    """The checklist as a form for its editors, read-only for its readers.
    A POST stores the answers that changed, all or none: on an error the form
    comes back with the values sent and the message next to the question."""
    org = _organization_or_abort(id, "territoire_checklist_show")
    can_answer = tk.h.check_access("territoire_checklist_answer", {"id": org["id"]})
    data = tk.get_action("territoire_checklist_show")(_context(), {"id": org["id"]})
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        if not can_answer:
            return tk.abort(
                403, tk._("Only the editors of this organization can answer.")
            )
        errors = _save_answers(org, data)
        if not errors:
            return tk.redirect_to(
                "territoire_onboarding.checklist_page", id=org["name"]
            )
        _keep_sent_values(data)
        tk.h.flash_error(tk._("Nothing was saved: correct the answers marked below."))
    history = tk.get_action("territoire_checklist_history")(
        _context(), {"id": org["id"], "limit": RECENT_CHANGES}
    )
    return tk.render(
        "onboarding/checklist.html",
        {
            "group_dict": org,
            "group_type": "organization",
            "checklist": data,
            "can_answer": can_answer,
            "answers": checklist.ANSWERS,
            "errors": errors,
            "history": history,
        },
    )


def _sent(question_id: str) -> tuple[str, str]:
    form = tk.request.form
    return (
        form.get(f"answer-{question_id}") or "",
        (form.get(f"comment-{question_id}") or "").strip(),
    )


def _save_answers(org: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    """Store the changed answers of the form in one transaction; the errors
    by question id (nothing stored) when one is refused."""
    errors: dict[str, list[str]] = {}
    saved = 0
    context = dict(_context(), defer_commit=True)
    for theme in data["themes"]:
        for question in theme["questions"]:
            answer, comment = _sent(question["id"])
            if (answer or None, comment) == (question["answer"], question["comment"]):
                continue
            if not answer:
                if comment:
                    errors[question["id"]] = [
                        tk._("Choose an answer to save this comment.")
                    ]
                continue
            try:
                tk.get_action("territoire_checklist_answer")(
                    dict(context),
                    {
                        "id": org["id"],
                        "question_id": question["id"],
                        "answer": answer,
                        "comment": comment,
                    },
                )
            except tk.ValidationError as error:
                errors[question["id"]] = [
                    str(message)
                    for messages in error.error_dict.values()
                    for message in (
                        messages if isinstance(messages, list) else [messages]
                    )
                ]
            else:
                saved += 1
    if errors:
        model.Session.rollback()
        return errors
    model.Session.commit()
    tk.h.flash_success(
        tk._("Answers saved: {count}.").format(count=saved)
        if saved
        else tk._("No answer changed.")
    )
    return {}


def _keep_sent_values(data: dict[str, Any]) -> None:
    for theme in data["themes"]:
        for question in theme["questions"]:
            answer, comment = _sent(question["id"])
            question["answer"] = answer or question["answer"]
            question["comment"] = comment


def _dashboard_or_abort(id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if roles.organization(id) is None:
        return tk.abort(404, tk._("Organization not found"))
    org = tk.get_action("organization_show")(
        {"ignore_auth": True}, {"id": id, "include_datasets": False}
    )
    try:
        data = tk.get_action("territoire_dashboard_show")(_context(), {"id": id})
    except tk.ValidationError as error:
        return tk.abort(404, " ".join(map(str, error.error_dict["id"])))
    except tk.NotAuthorized:
        return tk.abort(
            403,
            tk._(
                "Only the administrators of the intercommunality can see its "
                "territory dashboard."
            ),
        )
    return org, data


@blueprint.route("/organization/<id>/dashboard")
def dashboard_page(id: str) -> str:
    org, data = _dashboard_or_abort(id)
    return tk.render(
        "onboarding/dashboard.html",
        {
            "group_dict": org,
            "group_type": "organization",
            "dashboard": data,
            "starter_titles": {s["id"]: s["title"] for s in starters.starters()},
        },
    )


@blueprint.route("/organization/<id>/dashboard/agents", methods=["POST"])
def dashboard_agents(id: str) -> Any:
    """The form of a member's number of agents on the EPCI's dashboard."""
    _org, _data = _dashboard_or_abort(id)
    form = tk.request.form
    member = str(form.get("member") or "")
    try:
        tk.get_action("territoire_agents_update")(
            _context(),
            {
                "id": member,
                "agents_count": form.get("agents_count"),
                "agents_count_date": form.get("agents_count_date"),
                "agents_count_source": form.get("agents_count_source"),
            },
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        for messages in error.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(str(message))
    else:
        tk.h.flash_success(tk._("Number of agents saved."))
    return tk.redirect_to("territoire_onboarding.dashboard_page", id=id)


@blueprint.route("/organization/<id>/dashboard.csv")
def dashboard_csv(id: str) -> Response:
    _org, data = _dashboard_or_abort(id)
    return csv_export.response(
        f"tableau-de-bord-{id}.csv",
        dashboard.CSV_HEADERS,
        (
            [
                " ".join(row[column])
                if isinstance(row[column], list)
                else ""
                if row[column] is None
                else row[column]
                for column in dashboard.CSV_COLUMNS
            ]
            for row in data["members"]
        ),
    )
