"""Notes of a harvest: what a harvester kept differently from the source (a
frequency mapped to the nearest one, zones left out, a dataset withdrawn or
archived) without failing. They are not errors: ckanext-harvest counts every
object that has an error as "errored" (one real failure and five notes read
"errored 6"), so notes are kept in the object's extras and shown in a section
of their own on the job's page (templates/source/job/read.html)."""

from __future__ import annotations

import json
from typing import Any

from ckan import model

from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

NOTES_KEY = "territoire_notes"


def add_notes(harvest_object: HarvestObject, notes: list[str]) -> None:
    """The notes joined to the object (written with it, when it is saved)."""
    if notes:
        harvest_object.extras.append(
            HarvestObjectExtra(
                key=NOTES_KEY, value=json.dumps(notes, ensure_ascii=False)
            )
        )


def object_notes(harvest_object: HarvestObject) -> list[str]:
    notes: list[str] = []
    for extra in harvest_object.extras:
        if extra.key == NOTES_KEY:
            notes += json.loads(extra.value)
    return notes


def job_notes(job_id: str) -> list[dict[str, Any]]:
    """The job's notes, one entry per object that has some: its guid, its
    dataset (name and title, when it has one) and the notes."""
    rows = (
        model.Session.query(
            HarvestObject.id,
            HarvestObject.guid,
            HarvestObjectExtra.value,
            model.Package.name,
            model.Package.title,
        )
        .join(
            HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id
        )
        .outerjoin(model.Package, model.Package.id == HarvestObject.package_id)
        .filter(HarvestObject.harvest_job_id == job_id)
        .filter(HarvestObjectExtra.key == NOTES_KEY)
        .order_by(HarvestObject.guid)
    )
    found: dict[str, dict[str, Any]] = {}
    for object_id, guid, value, name, title in rows:
        entry = found.setdefault(
            object_id,
            {
                "object_id": object_id,
                "guid": guid,
                "name": name,
                "title": title,
                "notes": [],
            },
        )
        entry["notes"] += json.loads(value)
    return list(found.values())


__all__ = ["NOTES_KEY", "add_notes", "job_notes", "object_notes"]
