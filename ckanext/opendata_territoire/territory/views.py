"""The EPCI's page that creates and updates its member communes'
organizations from the reference data (what `ckan territoire init` does):
a preview first (nothing written), then one button. A plain HTML form."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.opendata_territoire.territory import roles

blueprint = Blueprint("territoire_territory", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else None}


@blueprint.route("/organization/<id>/territory", methods=["GET", "POST"])
def init_page(id: str) -> str:
    try:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": id, "include_datasets": False}
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    if not roles.is_epci(org):
        return tk.abort(404, tk._("This organization is not an EPCI with a SIREN."))
    apply = tk.request.method == "POST"
    try:
        summary = tk.get_action("territoire_territory_init")(
            _context(), {"epci_siren": org["siren"], "dry_run": not apply}
        )
        error = None
    except tk.NotAuthorized:
        return tk.abort(
            403,
            tk._(
                "Only the administrators of the EPCI and the portal's "
                "administrators can initialise the territory."
            ),
        )
    except tk.ValidationError as failure:
        summary, error = (
            None,
            " ".join(
                str(m) for messages in failure.error_dict.values() for m in messages
            ),
        )
    if apply and summary is not None:
        tk.h.flash_success(
            tk._(
                "Territory updated: %(created)s organizations created, "
                "%(updated)s updated, %(unchanged)s unchanged."
            )
            % {
                "created": len(summary["created"]),
                "updated": len(summary["updated"]),
                "unchanged": len(summary["unchanged"]),
            }
        )
    return tk.render(
        "territory/init.html",
        {
            "group_dict": org,
            "group_type": "organization",
            "summary": summary,
            "error": error,
            "applied": apply,
        },
    )
