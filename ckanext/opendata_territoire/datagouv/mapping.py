"""A data.gouv.fr (udata) dataset, as API v1 gives it, mapped to this
catalogue's dataset schema.

Pure functions: no database, no HTTP. ``map_dataset`` gives the fields the
harvester writes and the notes it reports (what could not be kept as it was).
The fields udata has and this schema has not (metrics, badges, quality,
community resources...) are left out; the link to the original page is kept
in ``harvest_origin_url``.

udata's vocabularies: docs/reference/french_domain.md, section 3.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.language import portal_text
from ckanext.opendata_territoire.metadata import choices as choice_lists

# udata's frequency ids (UpdateFrequency and its legacy aliases) that have no
# value of their own here, mapped to the nearest one that does not promise
# more than the producer does. Ids of both vocabularies are taken as they are.
FREQUENCIES = {
    "oneMinute": "continuous",
    "fiveMinutes": "continuous",
    "tenMinutes": "continuous",
    "fifteenMinutes": "continuous",
    "thirtyMinutes": "continuous",
    "realtime": "continuous",
    "bihourly": "severalTimesADay",
    "trihourly": "severalTimesADay",
    "twelveHours": "severalTimesADay",
    "threeTimesADay": "severalTimesADay",
    "semidaily": "severalTimesADay",
    "fourTimesADay": "severalTimesADay",
    "fiveTimesAWeek": "semiweekly",
    "threeTimesAWeek": "semiweekly",
    "fourTimesAWeek": "semiweekly",
    "fortnighly": "biweekly",
    "threeTimesAMonth": "biweekly",
    "threeTimesAYear": "quarterly",
    "biannual": "semiannual",
    "quadrennial": "triennial",
    "decennial": "irregular",
    "bidecennial": "irregular",
    "tridecennial": "irregular",
    "never": "punctual",
    "notPlanned": "punctual",
    "other": "irregular",
}

# udata resource types that have a CKAN resource_type data.gouv.fr's CKAN
# harvester reads back; the others are plain files.
RESOURCE_TYPES = {"api": "api", "documentation": "documentation"}

_ZONE = re.compile(r"^fr:(commune|epci):([0-9AB]{5}|\d{9})(?:@.*)?$", re.IGNORECASE)
_TAG = re.compile(r"[^\w\s\-.]", re.UNICODE)
_NAME = re.compile(r"[^a-z0-9_-]+")
NAME_MAX = 100
TAG_MIN, TAG_MAX = 2, 100


@dataclass
class Mapped:
    fields: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> str | None:
    """The date part of an ISO date or date-time, None when it is not one."""
    text = _text(value)[:10]
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def dataset_name(slug: Any, remote_id: str) -> str:
    """A CKAN name from the udata slug (lower case, at most 100 characters)."""
    name = _NAME.sub("-", _text(slug).lower()).strip("-_")
    if len(name) < 2:
        name = f"datagouv-{remote_id}".lower()
    return name[:NAME_MAX].rstrip("-_")


def frequency(value: Any) -> tuple[str | None, str | None]:
    """Our frequency for udata's, and a note when it is not the same id."""
    text = _text(value)
    if not text:
        return None, None
    known = choice_lists.values("frequencies")
    if text in known:
        return text, None
    mapped = FREQUENCIES.get(text, "unknown")
    return mapped, portal_text(
        N_('frequency "{value}" has no equivalent here: recorded as "{mapped}"')
    ).format(value=text, mapped=mapped)


def spatial_codes(spatial: Any) -> tuple[list[str], list[str]]:
    """INSEE commune codes and EPCI SIRENs of udata's zones
    (``fr:commune:38548``, ``fr:epci:200040624``); the zones of other levels
    (département, region, country) are given back apart."""
    zones = spatial.get("zones") if isinstance(spatial, dict) else None
    codes: list[str] = []
    others: list[str] = []
    for zone in zones if isinstance(zones, list) else []:
        match = _ZONE.match(_text(zone))
        if match:
            code = match[2].upper()
            if code not in codes:
                codes.append(code)
        elif _text(zone):
            others.append(_text(zone))
    return codes, others


def granularity(spatial: Any) -> str | None:
    value = _text(spatial.get("granularity")) if isinstance(spatial, dict) else ""
    if not value:
        return None
    return value if value in choice_lists.values("granularities") else "other"


def tags(values: Any) -> list[dict[str, str]]:
    """udata's tags as CKAN tags: the characters CKAN refuses removed, those
    too short or too long left out."""
    found: list[dict[str, str]] = []
    names: set[str] = set()
    for value in values if isinstance(values, list) else []:
        name = _TAG.sub("-", _text(value)).strip("-")
        if TAG_MIN <= len(name) <= TAG_MAX and name not in names:
            names.add(name)
            found.append({"name": name})
    return found


def schema_name(schema: Any) -> tuple[str | None, str | None]:
    name = _text(schema.get("name")) if isinstance(schema, dict) else ""
    if not name:
        return None, None
    version = _text(schema.get("version")) if isinstance(schema, dict) else ""
    if name in choice_lists.values("national_schemas"):
        return name, version or None
    return None, None


def contact(points: Any) -> dict[str, str]:
    for point in points if isinstance(points, list) else []:
        if isinstance(point, dict) and _text(point.get("email")):
            found = {"contact_email": _text(point["email"])}
            if _text(point.get("name")):
                found["contact_name"] = _text(point["name"])
            return found
    return {}


def resource_id(source_id: str, remote_id: str) -> str:
    """Our id of a harvested resource: the same at every harvest of the
    source, distinct between sources."""
    return str(uuid.uuid5(uuid.UUID(source_id), f"udata-resource:{remote_id}"))


def resource(remote: dict[str, Any], source_id: str) -> dict[str, Any] | None:
    url = _text(remote.get("latest")) or _text(remote.get("url"))
    if not url:
        return None
    found: dict[str, Any] = {
        "url": url,
        "name": _text(remote.get("title")) or url.rsplit("/", 1)[-1],
        "description": _text(remote.get("description")),
        "format": _text(remote.get("format")).lower(),
    }
    if _text(remote.get("id")):
        found["id"] = resource_id(source_id, _text(remote["id"]))
    if _text(remote.get("mime")):
        found["mimetype"] = _text(remote["mime"])
    size = remote.get("filesize")
    if isinstance(size, int) and size > 0:
        found["size"] = size
    checksum = remote.get("checksum")
    if isinstance(checksum, dict) and _text(checksum.get("value")):
        found["hash"] = _text(checksum["value"]).lower()
    if _text(remote.get("last_modified")):
        found["last_modified"] = _text(remote["last_modified"])[:19]
    kind = RESOURCE_TYPES.get(_text(remote.get("type")))
    if kind:
        found["resource_type"] = kind
    name, version = schema_name(remote.get("schema"))
    if name:
        found["schema_name"] = name
        if version:
            found["schema_version"] = version
    return found


def map_dataset(remote: dict[str, Any], source_id: str) -> Mapped:
    """Our dataset fields for a udata dataset (owner and name excepted: the
    harvester chooses them)."""
    notes: list[str] = []
    remote_id = _text(remote.get("id"))
    fields: dict[str, Any] = {
        "title": _text(remote.get("title")),
        "notes": _text(remote.get("description")),
        "license_id": _text(remote.get("license")) or "notspecified",
        "tags": tags(remote.get("tags")),
    }
    origin = _text(remote.get("page")) or _text(remote.get("uri"))
    if origin:
        fields["harvest_origin_url"] = origin
    updated = _date(remote.get("last_update")) or _date(remote.get("last_modified"))
    if updated:
        fields["data_updated"] = updated
    value, note = frequency(remote.get("frequency"))
    if value:
        fields["frequency"] = value
    if note:
        notes.append(note)
    coverage = remote.get("temporal_coverage")
    if isinstance(coverage, dict):
        start, end = _date(coverage.get("start")), _date(coverage.get("end"))
        if start:
            fields["temporal_start"] = start
        if end and (not start or end >= start):
            fields["temporal_end"] = end
        elif end:
            notes.append(
                portal_text(
                    N_("temporal coverage ends ({end}) before it starts ({start})")
                ).format(start=start, end=end)
            )
    codes, others = spatial_codes(remote.get("spatial"))
    if codes:
        fields["spatial_insee"] = codes
    if others:
        notes.append(
            portal_text(
                N_("spatial zones left out (neither a commune nor an EPCI): {zones}")
            ).format(zones=", ".join(others))
        )
    spatial = remote.get("spatial")
    if not codes and isinstance(spatial, dict) and spatial.get("geom"):
        notes.append(
            portal_text(
                N_(
                    "spatial coverage given as a geometry only ({kind}): not kept, "
                    "the catalogue describes coverage by communes and EPCI; set "
                    "them on the dataset"
                )
            ).format(kind=str((spatial["geom"] or {}).get("type") or "?"))
        )
    level = granularity(remote.get("spatial"))
    if level:
        fields["spatial_granularity"] = level
    name, version = schema_name(remote.get("schema"))
    if name:
        fields["schema_name"] = name
        if version:
            fields["schema_version"] = version
    elif isinstance(remote.get("schema"), dict) and _text(remote["schema"].get("name")):
        notes.append(
            portal_text(N_('schema "{name}" is not one of the catalogue\'s')).format(
                name=_text(remote["schema"]["name"])
            )
        )
    fields.update(contact(remote.get("contact_points")))
    resources = []
    for item in remote.get("resources") or []:
        if not isinstance(item, dict):
            continue
        mapped = resource(item, source_id)
        if mapped is None:
            notes.append(
                portal_text(N_('resource "{title}" has no URL: left out')).format(
                    title=_text(item.get("title")) or _text(item.get("id"))
                )
            )
            continue
        resources.append(mapped)
    fields["resources"] = resources
    if not remote_id:
        notes.append(portal_text(N_("the dataset has no id")))
    return Mapped(fields, notes)


__all__ = ["Mapped", "dataset_name", "map_dataset", "resource_id"]
