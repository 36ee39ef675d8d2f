"""The schemas a file can be converted to: the Table Schemas of the SCDL
snapshot the quality feature ships (quality/schemas_snapshot), so that the
conversion never needs the internet and converts to the very version the
published file then declares."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ckanext.opendata_territoire.quality import catalog

# The priority datasets of a commune, offered first.
PRIORITY = (
    "scdl/deliberations",
    "scdl/budget",
    "scdl/subventions",
    "scdl/equipements",
    "scdl/menus-collectifs",
)


@dataclass(frozen=True)
class Schema:
    name: str
    version: str
    title: str
    descriptor: dict[str, Any]


@functools.cache
def available() -> dict[str, Schema]:
    """Every Table Schema of the snapshot, the priority ones first."""
    found = {}
    for entry in catalog.snapshot().get("schemas", []):
        versions = entry.get("versions") or []
        if entry.get("schema_type") != "tableschema" or not versions:
            continue
        version = str(versions[-1]["version_name"])
        descriptor = catalog.snapshot_descriptor(entry["name"], version)
        if descriptor is not None:
            found[entry["name"]] = Schema(
                entry["name"], version, entry.get("title") or entry["name"], descriptor
            )
    order = [n for n in PRIORITY if n in found] + sorted(set(found) - set(PRIORITY))
    return {name: found[name] for name in order}


def get(name: str) -> Schema | None:
    return available().get(name)


def descriptors() -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (title, descriptor), for recognise.recognise."""
    return {s.name: (s.title, s.descriptor) for s in available().values()}
