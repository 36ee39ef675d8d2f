"""Pages of the forecast of planned purchases: an organization's list with
its add form, the edit form of an entry, its removal, the import from a
spreadsheet (/organization/<name>/achats-prevus...), and the Table Schema
of the published CSV. Plain HTML forms: no JavaScript needed. The routes
are on the blueprint of the contracts to come (future/views.py), gathered by
views/__init__.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response

from ckanext.opendata_territoire.future import (
    entries,
    forecast,
    publication,
    renewals,
    spreadsheet,
)
from ckanext.opendata_territoire.future.views import (
    blueprint,
    field_errors,
    user_context,
)
from ckanext.opendata_territoire.observatory import cpv

FORM_FIELDS = (
    "object",
    "cpv_division",
    "amount_band",
    "year",
    "quarter",
    "procedure",
    "contact_name",
    "contact_email",
    "contact_phone",
    "notes",
)


def _organization(id: str) -> dict[str, Any]:
    org = entries.organization(id)
    if org is None:
        return tk.abort(404, tk._("Organization not found"))
    if not entries.may_edit(user_context()["user"], org):
        return tk.abort(
            403,
            tk._("Only the admins of the organization edit its planned purchases."),
        )
    return dict(
        tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": org.id, "include_datasets": False}
        )
    )


def choices() -> dict[str, Any]:
    """The options of the form's lists."""
    today = dt.date.today()
    return {
        "divisions": [
            {"value": code, "text": f"{code} — {title}"}
            for code, title in sorted(cpv.DIVISIONS.items())
        ],
        "bands": [
            {"value": key, "text": tk._(renewals.BAND_LABELS[key])}
            for key in forecast.BANDS
        ],
        "years": [{"value": str(y), "text": str(y)} for y in forecast.years(today)],
        "quarters": [
            {"value": "1", "text": tk._("1st quarter (January to March)")},
            {"value": "2", "text": tk._("2nd quarter (April to June)")},
            {"value": "3", "text": tk._("3rd quarter (July to September)")},
            {"value": "4", "text": tk._("4th quarter (October to December)")},
        ],
        "procedures": [{"value": "", "text": tk._("Not chosen yet")}]
        + [{"value": p, "text": p} for p in forecast.PROCEDURES],
        "modes": [
            {"value": key, "text": tk._(label)}
            for key, label in spreadsheet.MODES.items()
        ],
        "labels": {key: tk._(label) for key, label in forecast.LABELS.items()},
    }


def _empty_values() -> dict[str, str]:
    today = dt.date.today()
    following = renewals.add_months(today, 3)
    values = {key: "" for key in FORM_FIELDS}
    values["year"] = str(following.year)
    values["quarter"] = str((following.month - 1) // 3 + 1)
    return values


def _values_of(entry: dict[str, Any]) -> dict[str, str]:
    year, number = entry["quarter"].split("-Q")
    contact = entry["contact"]
    return {
        "object": entry["object"],
        "cpv_division": entry["cpv_division"],
        "amount_band": entry["amount_band"],
        "year": year,
        "quarter": number,
        "procedure": entry["procedure"] or "",
        "contact_name": contact["name"] or "",
        "contact_email": contact["email"] or "",
        "contact_phone": contact["phone"] or "",
        "notes": entry["notes"] or "",
    }


def _page(org: dict[str, Any], **extra: Any) -> str:
    found = tk.get_action("territoire_forecast_list")(
        user_context(), {"organization": org["id"]}
    )
    dataset = publication.find_dataset(org["id"])
    variables = {
        "group_dict": org,
        "group_type": "organization",
        "entries": found["entries"],
        "dataset": dataset if dataset and dataset.get("state") == "active" else None,
        "values": _empty_values(),
        "errors": {},
        "report": None,
        "headers": {key: spreadsheet.HEADERS[key][0] for key in spreadsheet.HEADERS},
        **choices(),
    }
    variables.update(extra)
    return tk.render("future/forecast.html", variables)


def _summary(errors: dict[str, str]) -> dict[str, str]:
    labels = choices()["labels"]
    return {labels.get(key, key): message for key, message in errors.items()}


@blueprint.route("/organization/<id>/achats-prevus", methods=["GET", "POST"])
def forecast_page(id: str) -> Any:
    org = _organization(id)
    if tk.request.method != "POST":
        return _page(org)
    values = {key: tk.request.form.get(key, "") for key in FORM_FIELDS}
    try:
        tk.get_action("territoire_forecast_create")(
            user_context(), {"organization": org["id"], **values}
        )
    except tk.ValidationError as error:
        errors = field_errors(error)
        tk.h.flash_error(
            tk._("The planned purchase is not saved: correct the fields marked.")
        )
        return _page(org, values=values, errors=errors, error_summary=_summary(errors))
    tk.h.flash_success(tk._("The planned purchase is added and published."))
    return tk.redirect_to("territoire_future.forecast_page", id=org["name"])


@blueprint.route("/organization/<id>/achats-prevus/<entry_id>", methods=["GET", "POST"])
def entry_edit(id: str, entry_id: str) -> Any:
    org = _organization(id)
    entry = entries.get(entry_id)
    if entry is None or entry.organization_id != org["id"]:
        return tk.abort(404, tk._("Planned purchase not found"))
    errors: dict[str, str] = {}
    values = _values_of(entries.as_dict(entry))
    if tk.request.method == "POST":
        values = {key: tk.request.form.get(key, "") for key in FORM_FIELDS}
        try:
            tk.get_action("territoire_forecast_update")(
                user_context(), {"id": entry_id, **values}
            )
        except tk.ValidationError as error:
            errors = field_errors(error)
            tk.h.flash_error(
                tk._("The planned purchase is not saved: correct the fields marked.")
            )
        else:
            tk.h.flash_success(tk._("The planned purchase is saved and published."))
            return tk.redirect_to("territoire_future.forecast_page", id=org["name"])
    return tk.render(
        "future/forecast_edit.html",
        {
            "group_dict": org,
            "group_type": "organization",
            "entry_id": entry_id,
            "values": values,
            "errors": errors,
            "error_summary": _summary(errors),
            **choices(),
        },
    )


@blueprint.route(
    "/organization/<id>/achats-prevus/<entry_id>/supprimer", methods=["POST"]
)
def entry_delete(id: str, entry_id: str) -> Any:
    org = _organization(id)
    entry = entries.get(entry_id)
    if entry is None or entry.organization_id != org["id"]:
        return tk.abort(404, tk._("Planned purchase not found"))
    tk.get_action("territoire_forecast_delete")(user_context(), {"id": entry_id})
    tk.h.flash_success(tk._("The planned purchase is removed."))
    return tk.redirect_to("territoire_future.forecast_page", id=org["name"])


@blueprint.route("/organization/<id>/achats-prevus/import", methods=["POST"])
def forecast_import(id: str) -> Any:
    org = _organization(id)
    upload = tk.request.files.get("upload")
    mode = tk.request.form.get("mode", "add")
    try:
        report = tk.get_action("territoire_forecast_import")(
            user_context(), {"organization": org["id"], "upload": upload, "mode": mode}
        )
    except tk.ValidationError as error:
        errors = field_errors(error)
        tk.h.flash_error(" ".join(errors.values()))
        return _page(org)
    if report["imported"]:
        tk.h.flash_success(
            tk._("{count} planned purchase(s) imported and published.").format(
                count=report["imported"]
            )
        )
    if report["problems"]:
        tk.h.flash_error(
            tk._("Some rows were not imported: see the list below.")
            if report["imported"]
            else tk._("Nothing was imported: see the problems below.")
        )
    return _page(org, report=report)


@blueprint.route(publication.SCHEMA_PATH)
def forecast_schema() -> Response:
    return Response(
        publication.SCHEMA_FILE.read_text(encoding="utf-8"),
        mimetype="application/json",
    )
