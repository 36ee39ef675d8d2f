"""Quality pages of a dataset: its score, with each criterion and how to meet
it."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

blueprint = Blueprint("territoire_quality", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


def _dataset_or_abort(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        # As CKAN's dataset page: a private dataset is not found by those who
        # may not see it.
        return tk.abort(404, tk._("Dataset not found"))


@blueprint.route("/dataset/<id>/quality")
def dataset_quality(id: str) -> str:
    dataset = _dataset_or_abort(id)
    quality = tk.get_action("territoire_quality_show")(_context(), {"id": id})
    return tk.render(
        "quality/dataset_quality.html",
        {
            "pkg": dataset,
            "pkg_dict": dataset,
            "dataset_type": dataset["type"],
            "quality": quality,
            "can_edit": tk.h.check_access("package_update", {"id": dataset["id"]}),
        },
    )


def _resource_or_abort(id: str, resource_id: str) -> tuple[dict, dict]:
    dataset = _dataset_or_abort(id)
    resource = next((r for r in dataset["resources"] if r["id"] == resource_id), None)
    if resource is None:
        return tk.abort(404, tk._("Resource not found"))
    if not tk.h.check_access("territoire_personal_data_show", {"id": resource_id}):
        return tk.abort(
            403,
            tk._("Only the editors of this dataset can see what the guard found."),
        )
    return dataset, resource


@blueprint.route(
    "/dataset/<id>/resource/<resource_id>/personal-data", methods=["GET", "POST"]
)
def personal_data(id: str, resource_id: str) -> Any:
    """What the personal-data guard found in a file, the form to confirm it
    may be published, and the file's audit trail."""
    dataset, resource = _resource_or_abort(id, resource_id)
    errors: dict[str, list[str]] = {}
    reason = ""
    if tk.request.method == "POST":
        reason = tk.request.form.get("reason", "")
        try:
            tk.get_action("territoire_personal_data_confirm")(
                _context(), {"id": resource_id, "reason": reason}
            )
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(
                tk._(
                    "Confirmation recorded. The dataset can be made public once "
                    "none of its files is blocked."
                )
            )
            return tk.redirect_to(
                "territoire_quality.personal_data", id=id, resource_id=resource_id
            )
    guard = tk.get_action("territoire_personal_data_show")(
        _context(), {"id": resource_id}
    )
    trail = [
        entry
        for entry in tk.get_action("territoire_personal_data_history")(
            _context(), {"id": dataset["id"]}
        )
        if entry["resource_id"] == resource_id
    ]
    return tk.render(
        "quality/personal_data.html",
        {
            "pkg": dataset,
            "pkg_dict": dataset,
            "dataset_type": dataset["type"],
            "res": resource,
            "guard": guard,
            "trail": trail,
            "errors": errors,
            "reason": reason,
        },
    )


@blueprint.route("/dataset/<id>/resource/<resource_id>/validate", methods=["POST"])
def validate(id: str, resource_id: str) -> Any:
    """Validate a file again, for its editors."""
    _dataset_or_abort(id)
    try:
        tk.get_action("territoire_resource_validate")(_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the editors of this dataset can do this."))
    tk.h.flash_success(tk._("The file will be validated again in a moment."))
    return tk.redirect_to("resource.read", id=id, resource_id=resource_id)
