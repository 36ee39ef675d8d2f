"""Template helpers of the licences (registered with @registry.helper)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.licences import recommendation, register, views
from ckanext.opendata_territoire.metadata import choices

# Labels of the data files are msgids: translated where they are shown.
translate = tk._


@registry.helper
def territoire_licence(licence_id: str | None) -> dict[str, Any] | None:
    """The register's entry of a licence, in the language of the request."""
    entry = register.licence(licence_id)
    return entry.as_dict(register.current_language()) if entry else None


@registry.helper
def territoire_fee_basis_label(value: str) -> str:
    """The label of a fee's legal basis (choice list fee_bases)."""
    label = choices.label("fee_bases", value)
    return translate(label) if label else value


@registry.helper
def territoire_licence_groups(selected: str | None = None) -> list[dict[str, Any]]:
    """The register's licences for the form's select, homologated ones first.
    A value outside the register (a harvested dataset's licence) stays
    selectable, so that editing the dataset keeps it."""
    language = register.current_language()

    def options(entries: list[register.Licence]) -> list[dict[str, str]]:
        return [{"id": e.id, "title": e.title_in(language)} for e in entries]

    groups = [
        {
            "label": tk._("Licences of the list fixed by decree (CRPA, D.323-2-1)"),
            "licences": options(register.homologated()),
        },
        {
            "label": tk._(
                "Other licences: only for private datasets, harvested datasets "
                "or data with third-party rights"
            ),
            "licences": options([e for e in register.licences() if not e.homologated]),
        },
    ]
    if selected and register.licence(selected) is None:
        groups.append(
            {
                "label": tk._("Licence of the source"),
                "licences": [{"id": selected, "title": selected}],
            }
        )
    return [group for group in groups if group["licences"]]


def _chooser_state() -> dict[str, Any]:
    """What the chooser's button of the dataset form answered (views.py),
    if it was pressed for this request."""
    return getattr(tk.g, "territoire_licence_chooser", None) or {}


def _licence_from_address() -> str | None:
    """The licence the /licences page passes to the dataset form
    (``?license_id=``), if it is one of the register's."""
    try:
        value = tk.request.args.get("license_id")
    except RuntimeError:
        return None
    return value if register.licence(value) else None


@registry.helper
def territoire_licence_selected(data: dict[str, Any], field: dict[str, Any]) -> str:
    """The licence the form selects: the chooser's recommendation, else the
    one the /licences page passed, else the one sent or saved, else the
    field's default."""
    recommended = (_chooser_state().get("recommendation") or {}).get("licence")
    if recommended:
        return recommended["id"]
    return str(
        _licence_from_address()
        or data.get(field["field_name"])
        or field.get("default")
        or ""
    )


@registry.helper
def territoire_licence_chooser() -> dict[str, Any]:
    """The chooser of the dataset form: its questions, the answers given
    (defaults before the button is pressed), the recommendation, the
    errors, the names of its inputs, and whether the licence field shows a
    licence the chooser picked (``preselected``)."""
    state = _chooser_state()
    recommended = (state.get("recommendation") or {}).get("licence")
    return {
        "questions": recommendation.questions(),
        "answers": state.get("answers") or recommendation.defaults(),
        "recommendation": state.get("recommendation"),
        "errors": state.get("errors") or {},
        "prefix": views.FORM_PREFIX,
        "button": views.FORM_BUTTON,
        "open": bool(state),
        "preselected": bool(recommended or _licence_from_address()),
    }
