"""data.gouv.fr compatibility of package_show.

data.gouv.fr's CKAN harvester validates every dataset it reads against a
schema where some keys must be present even when empty (author, maintainer...
and, on resources, description, size, last_modified...), and reads the
frequency, the temporal coverage and the spatial coverage from the `extras`
list only. package_show therefore fills the missing keys with null and mirrors
these schema fields into `extras`. The mirrored entries are dropped again on
input (validators territoire_mark_mirrored_extras / _drop_mirrored_extras).
"""

from __future__ import annotations

import json
from typing import Any

from ckanext.opendata_territoire.territory import geometry

INSEE_GEO = "http://id.insee.fr/geo"
DATASET_KEYS = ("author", "author_email", "maintainer", "maintainer_email", "notes")
RESOURCE_KEYS = (
    "description",
    "mimetype",
    "size",
    "hash",
    "last_modified",
    "resource_type",
)


def insee_uri(code: str) -> str:
    """URI of a commune (INSEE code) or an EPCI (SIREN) in INSEE's geography."""
    if len(code) == 9:
        return f"{INSEE_GEO}/intercommunalite/{code}"
    return f"{INSEE_GEO}/commune/{code}"


def udata_extras(dataset: dict[str, Any]) -> dict[str, str]:
    """The extras data.gouv.fr's harvester reads, computed from our fields."""
    extras: dict[str, str] = {}
    if dataset.get("frequency"):
        extras["frequency"] = dataset["frequency"]
    # The harvester uses the temporal coverage only when both ends are set.
    if dataset.get("temporal_start") and dataset.get("temporal_end"):
        extras["temporal_start"] = dataset["temporal_start"]
        extras["temporal_end"] = dataset["temporal_end"]
    codes = dataset.get("spatial_insee") or []
    if codes:
        extras["spatial-uri"] = " ".join(insee_uri(code) for code in codes)
        # The harvester keeps "spatial-uri" aside as text; the geometry is
        # what it shows as the coverage (a Polygon or MultiPolygon).
        shape = geometry.coverage(codes)
        if shape is not None:
            extras["spatial"] = json.dumps(shape, separators=(",", ":"))
    return extras


def make_harvestable(dataset: dict[str, Any]) -> None:
    """Give a validated package_show dict, in place, every key data.gouv.fr's
    harvester requires, and the extras it reads."""
    for key in DATASET_KEYS:
        dataset.setdefault(key, None)
    for resource in dataset.get("resources", []):
        for key in RESOURCE_KEYS:
            resource.setdefault(key, None)
        # The harvester requires a name: an unnamed resource is called by
        # its file name, as CKAN's pages call it.
        if not resource.get("name"):
            url = str(resource.get("url") or "")
            resource["name"] = url.rstrip("/").rsplit("/", 1)[-1] or url
    expose_extras(dataset)


def expose_extras(dataset: dict[str, Any]) -> None:
    """Add the harvester's extras to a validated package_show dict, in place."""
    extras = dataset.get("extras")
    if not isinstance(extras, list):
        extras = []
    present = {extra.get("key") for extra in extras}
    for key, value in udata_extras(dataset).items():
        if key not in present:
            extras.append({"key": key, "value": value})
    dataset["extras"] = extras
