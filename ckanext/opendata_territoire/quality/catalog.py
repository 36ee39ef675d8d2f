"""The catalogue of national schemas (schema.data.gouv.fr's schemas.json, at
ckanext.territoire.schema_catalog_url) and the Table Schemas it points to,
fetched when first needed and kept in Redis for
ckanext.territoire.schema_catalog_cache_seconds.

When schema.data.gouv.fr cannot be reached (a portal without internet, the
site down), the SCDL schemas come from the snapshot shipped with the
extension (``schemas_snapshot/``: the catalogue's SCDL entries and their
Table Schemas, versions recorded in ``catalog.json``), refreshed by ``ckan
territoire schemas sync``. A schema the snapshot does not hold stays "not
validated: the catalogue could not be read"."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import requests
from ckan.lib.redis import connect_to_redis


class CatalogError(Exception):
    """The catalogue or a schema cannot be read, or does not know the schema;
    ``reason``: ``catalog_unreachable``, ``unknown_schema``,
    ``unknown_version``, ``schema_unreachable``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


SNAPSHOT_DIR = Path(__file__).resolve().parent / "schemas_snapshot"


@dataclass(frozen=True)
class SchemaRef:
    name: str
    version: str | None
    title: str
    url: str
    type: str
    # The date of the shipped snapshot it was found in; None: the live
    # catalogue.
    snapshot: str | None = None

    @property
    def is_table_schema(self) -> bool:
        return self.type == "tableschema"


def catalog_url() -> str:
    return tk.config.get("ckanext.territoire.schema_catalog_url")


def _cache_key(url: str) -> str:
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()
    return f"{tk.config.get('ckan.site_id')}:territoire:schema-cache:{digest}"


def fetch_json(url: str, reason: str) -> Any:
    """The JSON document at ``url``, from the Redis cache when it is there."""
    redis = connect_to_redis()
    key = _cache_key(url)
    cached = redis.get(key)
    if cached is not None:
        return json.loads(cached)
    try:
        response = requests.get(
            url, timeout=tk.config.get("ckanext.territoire.fetch_timeout")
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise CatalogError(reason, f"{url}: {error}") from error
    redis.set(
        key,
        json.dumps(document),
        ex=tk.config.get("ckanext.territoire.schema_catalog_cache_seconds"),
    )
    return document


def snapshot() -> dict[str, Any]:
    """The shipped snapshot: ``taken`` (its date), ``schemas`` (catalogue
    entries), ``files`` ("name@version" -> its Table Schema's file)."""
    with (SNAPSHOT_DIR / "catalog.json").open(encoding="utf-8") as f:
        return dict(json.load(f))


def snapshot_descriptor(name: str, version: str | None) -> dict[str, Any] | None:
    """The Table Schema of ``name`` at ``version`` in the snapshot, or None."""
    found = snapshot().get("files", {}).get(f"{name}@{version}")
    if not found:
        return None
    with (SNAPSHOT_DIR / found).open(encoding="utf-8") as f:
        return dict(json.load(f))


def entries() -> list[dict[str, Any]]:
    return fetch_json(catalog_url(), "catalog_unreachable").get("schemas", [])


def _entries() -> tuple[list[dict[str, Any]], str | None]:
    """The live catalogue's entries, else the snapshot's (and its date)."""
    try:
        return entries(), None
    except CatalogError:
        taken = snapshot()
        return list(taken.get("schemas", [])), str(taken.get("taken"))


def resolve(name: str, version: str | None = None) -> SchemaRef:
    """The schema ``name`` of the catalogue, at ``version`` (its latest when
    no version is given); from the snapshot when the catalogue cannot be
    read."""
    found, taken = _entries()
    entry = next((e for e in found if e.get("name") == name), None)
    if entry is None:
        # Unknown to the snapshot is not unknown to the catalogue.
        raise CatalogError("catalog_unreachable" if taken else "unknown_schema", name)
    versions = entry.get("versions") or []
    if version:
        match = next((v for v in versions if v.get("version_name") == version), None)
        if match is None:
            known = ", ".join(str(v.get("version_name")) for v in versions)
            raise CatalogError(
                "catalog_unreachable" if taken else "unknown_version",
                f"{name} {version} ({known})",
            )
        url = match["schema_url"]
    else:
        url = entry["schema_url"]
        version = versions[-1].get("version_name") if versions else None
    return SchemaRef(
        name=name,
        version=version,
        title=entry.get("title") or name,
        url=url,
        type=entry.get("schema_type") or "",
        snapshot=taken,
    )


def descriptor(ref: SchemaRef) -> dict[str, Any]:
    """The Table Schema of ``ref``: the snapshot's when it came from it, or
    when its URL cannot be read and the snapshot holds that version."""
    local = snapshot_descriptor(ref.name, ref.version)
    if ref.snapshot and local is not None:
        return local
    try:
        return fetch_json(ref.url, "schema_unreachable")
    except CatalogError:
        if local is None:
            raise
        return local
