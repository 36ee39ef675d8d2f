"""The catalogue of national schemas (schema.data.gouv.fr's schemas.json, at
ckanext.territoire.schema_catalog_url) and the Table Schemas it points to,
fetched when first needed and kept in Redis for
ckanext.territoire.schema_catalog_cache_seconds."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SchemaRef:
    name: str
    version: str | None
    title: str
    url: str
    type: str

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


def entries() -> list[dict[str, Any]]:
    return fetch_json(catalog_url(), "catalog_unreachable").get("schemas", [])


def resolve(name: str, version: str | None = None) -> SchemaRef:
    """The schema ``name`` of the catalogue, at ``version`` (its latest when
    no version is given)."""
    entry = next((e for e in entries() if e.get("name") == name), None)
    if entry is None:
        raise CatalogError("unknown_schema", name)
    versions = entry.get("versions") or []
    if version:
        found = next((v for v in versions if v.get("version_name") == version), None)
        if found is None:
            known = ", ".join(str(v.get("version_name")) for v in versions)
            raise CatalogError("unknown_version", f"{name} {version} ({known})")
        url = found["schema_url"]
    else:
        url = entry["schema_url"]
        version = versions[-1].get("version_name") if versions else None
    return SchemaRef(
        name=name,
        version=version,
        title=entry.get("title") or name,
        url=url,
        type=entry.get("schema_type") or "",
    )


def descriptor(ref: SchemaRef) -> dict[str, Any]:
    """The Table Schema of ``ref``."""
    return fetch_json(ref.url, "schema_unreachable")
