"""Starter datasets: the priority datasets of a commune, created in one click
as private drafts pre-filled from starters.yaml."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckan.lib.munge import munge_title_to_name

# Texts of the data files are msgids: translated where they are shown.
translate = tk._

STARTERS_FILE = Path(__file__).with_name("starters.yaml")
# A licence is required: the Licence Ouverte 2.0, the form's default too; the
# secretary can change it (the form's licence chooser helps).
DEFAULT_LICENSE = "lov2"


@functools.cache
def starters() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(STARTERS_FILE.read_text(encoding="utf-8"))
    return tuple(data["starters"])


def starter(starter_id: str) -> dict[str, Any] | None:
    return next((s for s in starters() if s["id"] == starter_id), None)


def existing(org_id: str) -> dict[str, str]:
    """starter id -> name of the organization's dataset that follows its
    schema (any state the caller may see)."""
    found = {}
    for entry in starters():
        result = tk.get_action("package_search")(
            {"ignore_auth": True},
            {
                "fq": f'owner_org:"{org_id}" +schema_name:"{entry["schema_name"]}"',
                "rows": 1,
                "include_private": True,
                "include_drafts": True,
            },
        )
        if result["results"]:
            found[entry["id"]] = result["results"][0]["name"]
    return found


def create_draft(
    context: dict[str, Any], org: dict[str, Any], starter_id: str
) -> dict[str, Any]:
    entry = starter(starter_id)
    if entry is None:
        raise tk.ValidationError(
            {
                "starter": [
                    tk._('Unknown starter dataset "{value}". Known: {known}.').format(
                        value=starter_id, known=", ".join(s["id"] for s in starters())
                    )
                ]
            }
        )
    title = f"{translate(entry['title'])} — {org['title']}"
    data = {
        "name": munge_title_to_name(f"{entry['id']}-{org['name']}")[:100],
        "title": title,
        "notes": translate(entry["notes"]),
        "owner_org": org["id"],
        "private": True,
        "state": "draft",
        "license_id": DEFAULT_LICENSE,
        "theme": entry["theme"],
        "frequency": entry["frequency"],
        "schema_name": entry["schema_name"],
        "schema_version": entry["schema_version"],
        "legal_basis": entry["legal_basis"],
        "tags": [{"name": tag} for tag in entry["tags"]],
        "contact_email": org.get("contact_email") or None,
        "spatial_insee": [org["insee_code"]] if org.get("insee_code") else None,
        "spatial_granularity": "fr:commune" if org.get("insee_code") else None,
    }
    data = {key: value for key, value in data.items() if value is not None}
    return tk.get_action("package_create")(dict(context, allow_state_change=True), data)
