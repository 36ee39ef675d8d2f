"""Pages of the usage feature: the reuses page, the form to declare a
reuse, an organization's reuses to moderate, the forms of the questions on a
dataset's page, the publisher's view of an organization's usage (and its
monthly CSV) and a dataset's usage. Plain HTML: no JavaScript needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.opendata_territoire import csv_export
from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.usage import figures, publisher, reuses

blueprint = Blueprint("territoire_usage", __name__)

REUSE_FIELDS = ("title", "url", "type", "author", "image_url", "description")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def _user_name() -> str | None:
    return _context()["user"] or None


def flat_errors(error: tk.ValidationError) -> dict[str, str]:
    return {
        field: " ".join(
            str(m) for m in (messages if isinstance(messages, list) else [messages])
        )
        for field, messages in error.error_dict.items()
    }


@blueprint.route("/reuses")
def reuses_page() -> str:
    found = tk.get_action("territoire_reuse_list")(_context(), {})
    return tk.render(
        "usage/reuses.html", {"reuses": found, "types": reuses.type_labels()}
    )


@blueprint.route("/reuses/new", methods=["GET", "POST"])
def reuse_new() -> Any:
    if not _user_name():
        tk.h.flash_error(tk._("Sign in to declare a reuse."))
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    form = tk.request.form
    errors: dict[str, str] = {}
    values = {key: tk.request.args.get(key, "") for key in REUSE_FIELDS}
    values["datasets"] = tk.request.args.get("dataset", "")
    if tk.request.method == "POST":
        values = {key: form.get(key, "") for key in (*REUSE_FIELDS, "datasets")}
        try:
            reuse = tk.get_action("territoire_reuse_create")(_context(), dict(values))
        except tk.ValidationError as error:
            errors = flat_errors(error)
            tk.h.flash_error(tk._("The reuse is not saved: correct the fields marked."))
        else:
            if all(d["state"] == "published" for d in reuse["datasets"]):
                tk.h.flash_success(tk._("Thank you: the reuse is published."))
            else:
                tk.h.flash_success(
                    tk._(
                        "Thank you: the reuse is shown once the organization of "
                        "each dataset has accepted it."
                    )
                )
            first = reuse["datasets"][0]["name"]
            return tk.redirect_to("dataset.read", id=first, _anchor="reuses")
    return tk.render(
        "usage/reuse_new.html",
        {"values": values, "errors": errors, "types": reuses.type_labels()},
    )


def _moderated_organization(id: str) -> dict[str, Any]:
    org = roles.organization(id)
    if org is None:
        return tk.abort(404, tk._("Organization not found"))
    if not tk.h.check_access("territoire_reuse_moderate", {"organization": org.id}):
        return tk.abort(
            403,
            tk._(
                "Only the editors of the organization see the reuses waiting "
                "for its decision."
            ),
        )
    return tk.get_action("organization_show")(
        {"ignore_auth": True}, {"id": org.id, "include_datasets": False}
    )


@blueprint.route("/organization/<id>/reuses")
def organization_reuses(id: str) -> str:
    org = _moderated_organization(id)
    lists = {
        state: tk.get_action("territoire_reuse_list")(
            _context(), {"organization": org["id"], "state": state}
        )
        for state in ("pending", "published", "refused")
    }
    own = {
        state: [
            {
                **reuse,
                "datasets": [
                    d
                    for d in reuse["datasets"]
                    if d["organization"] == org["name"] and d["state"] == state
                ],
            }
            for reuse in found
        ]
        for state, found in lists.items()
    }
    return tk.render(
        "usage/organization_reuses.html",
        {"group_dict": org, "group_type": "organization", "lists": own},
    )


@blueprint.route("/organization/<id>/reuses/moderate", methods=["POST"])
def moderate_reuse(id: str) -> Any:
    org = _moderated_organization(id)
    form = tk.request.form
    try:
        tk.get_action("territoire_reuse_moderate")(
            _context(),
            {
                "id": form.get("reuse"),
                "dataset": form.get("dataset"),
                "decision": form.get("decision"),
            },
        )
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(flat_errors(error).values()))
    except tk.ObjectNotFound as error:
        tk.h.flash_error(str(error))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    else:
        tk.h.flash_success(
            tk._("The reuse is published.")
            if form.get("decision") == "publish"
            else tk._("The reuse is refused: it is no longer shown.")
        )
    return tk.redirect_to("territoire_usage.organization_reuses", id=org["name"])


def _back_to_feedback(id: str) -> Any:
    return tk.redirect_to("dataset.read", id=id, _anchor="feedback")


@blueprint.route("/dataset/<id>/feedback", methods=["POST"])
def feedback_create(id: str) -> Any:
    if not _user_name():
        return tk.abort(403, tk._("Sign in to ask a question or report a problem."))
    form = tk.request.form
    try:
        tk.get_action("territoire_feedback_create")(
            _context(),
            {
                "dataset": id,
                "kind": form.get("kind"),
                "message": form.get("message"),
                "resource_id": form.get("resource_id") or None,
            },
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(flat_errors(error).values()))
    else:
        tk.h.flash_success(
            tk._("Thank you: the publisher is told and will answer on this page.")
        )
    return _back_to_feedback(id)


def _moderate_feedback(id: str, action: str, data: dict[str, Any]) -> Any:
    try:
        tk.get_action(action)(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Message not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(flat_errors(error).values()))
        return _back_to_feedback(id)
    return None


@blueprint.route("/dataset/<id>/feedback/<feedback_id>/answer", methods=["POST"])
def feedback_answer(id: str, feedback_id: str) -> Any:
    refused = _moderate_feedback(
        id,
        "territoire_feedback_answer",
        {"id": feedback_id, "answer": tk.request.form.get("answer")},
    )
    if refused is not None:
        return refused
    tk.h.flash_success(tk._("Your answer is published."))
    return _back_to_feedback(id)


@blueprint.route("/dataset/<id>/feedback/<feedback_id>/hide", methods=["POST"])
def feedback_hide(id: str, feedback_id: str) -> Any:
    refused = _moderate_feedback(id, "territoire_feedback_hide", {"id": feedback_id})
    if refused is not None:
        return refused
    tk.h.flash_success(tk._("The message is no longer shown."))
    return _back_to_feedback(id)


def _usage_or_abort(id: str, action: str, data: dict[str, Any]) -> Any:
    try:
        return tk.get_action(action)(_context(), data)
    except tk.ObjectNotFound as error:
        return tk.abort(404, str(error))
    except tk.NotAuthorized:
        return tk.abort(
            403,
            tk._(
                "Only the members of the organization and the administrators of "
                "its intercommunality see the usage of its datasets."
            ),
        )
    except tk.ValidationError as error:
        return tk.abort(400, " ".join(flat_errors(error).values()))


def _recent_months(count: int = 12) -> list[str]:
    first = figures.today().replace(day=1)
    months = []
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first.strftime("%Y-%m"))
    return months


@blueprint.route("/organization/<id>/usage")
def usage_page(id: str) -> str:
    data = _usage_or_abort(
        id,
        "territoire_usage_show",
        {"id": id, "weeks": tk.request.args.get("weeks")},
    )
    org = tk.get_action("organization_show")(
        {"ignore_auth": True}, {"id": id, "include_datasets": False}
    )
    peak = max((figures.total(w) for w in data["weeks"]), default=0)
    return tk.render(
        "usage/organization_usage.html",
        {
            "group_dict": org,
            "group_type": "organization",
            "usage": data,
            "peak": peak,
            "kinds": kind_labels(),
            "months": _recent_months(),
            "can_moderate": tk.h.check_access(
                "territoire_reuse_moderate", {"organization": org["id"]}
            ),
        },
    )


@blueprint.route("/organization/<id>/usage.csv")
def usage_csv(id: str) -> Response:
    rows = _usage_or_abort(
        id, "territoire_usage_month", {"id": id, "month": tk.request.args.get("month")}
    )
    month = (
        rows[0]["month"]
        if rows
        else publisher.checked_month(tk.request.args.get("month"))
    )
    columns = publisher.CSV_COLUMNS
    return csv_export.response(
        f"utilisation-{id}-{month}.csv",
        publisher.CSV_HEADERS,
        ([row.get(column, "") for column in columns] for row in rows),
    )


@blueprint.route("/dataset/<id>/usage")
def dataset_usage_page(id: str) -> str:
    data = _usage_or_abort(
        id,
        "territoire_dataset_usage_show",
        {"id": id, "weeks": tk.request.args.get("weeks")},
    )
    pkg = tk.get_action("package_show")(_context(), {"id": id})
    peak = max((figures.total(w) for w in data["weeks"]), default=0)
    return tk.render(
        "usage/dataset_usage.html",
        {
            "pkg": pkg,
            "pkg_dict": pkg,
            "usage": data,
            "peak": peak,
            "kinds": kind_labels(),
        },
    )


def kind_labels() -> dict[str, str]:
    """The usage kinds with their column titles."""
    return {
        "view": tk._("Page views"),
        "download": tk._("Downloads"),
        "dump": tk._("DataStore dumps"),
        "api": tk._("API reads"),
    }
