"""Template helpers of the licences (gathered by helpers.py)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.licences import register

__all__ = ["territoire_licence_groups", "territoire_licence_selected"]


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


def territoire_licence_selected(data: dict[str, Any], field: dict[str, Any]) -> str:
    """The licence the form selects: the one sent or saved, else the
    field's default."""
    return str(data.get(field["field_name"]) or field.get("default") or "")
