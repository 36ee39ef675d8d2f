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
