"""How data.gouv.fr reads this catalogue, restated for the tests: its CKAN
backend and its DCAT backend (shared/docs/reference/french_domain.md,
section 4), run against our CKAN through the test client.

Our own restatement of the rules udata applies, not udata's code. Both
readers return one dict per dataset data.gouv.fr would create, with:

- ``remote_id``: what data.gouv.fr keys the dataset on (CKAN ``id``;
  ``dct:identifier`` in DCAT);
- ``title``, ``description``, ``license`` (a data.gouv.fr licence id, guessed
  as udata does: by id, then by title or URL), ``frequency`` (as read:
  udata id or frequency URI), ``temporal`` ((start, end) or None), ``tags``;
- ``spatial_uri`` (CKAN only: the ``spatial-uri`` extra, kept as
  ``extras["ckan:spatial-uri"]``), ``contact`` (DCAT only: the contact
  point's email);
- ``resources``: dicts with ``title``, ``url``, ``format``, ``hash``
  (and ``hash_type``, guessed from its length as udata does).

``check_package`` lists what would make the CKAN backend refuse a
package_show answer (its voluptuous schema, required keys and types).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import rdflib
from rdflib.namespace import RDF

from ckanext.opendata_territoire.licences import register

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")

PACKAGE_KEYS = (
    "id",
    "name",
    "title",
    "notes",
    "license_id",
    "license_title",
    "tags",
    "metadata_created",
    "metadata_modified",
    "organization",
    "resources",
    "private",
    "type",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "state",
)
RESOURCE_KEYS = (
    "id",
    "position",
    "name",
    "description",
    "format",
    "mimetype",
    "size",
    "hash",
    "created",
    "last_modified",
    "url",
    "resource_type",
)
RESOURCE_TYPES = (
    "file",
    "file.upload",
    "api",
    "documentation",
    "image",
    "visualization",
)
IMPORTED_TYPES = ("dkan", "file", "file.upload", "api", "metadata")
HASH_TYPES = {32: "md5", 40: "sha1", 64: "sha256"}
DATAGOUV_LICENCES = (
    "cc-by",
    "cc-by-sa",
    "cc-zero",
    "fr-lo",
    "lov2",
    "notspecified",
    "odc-by",
    "odc-odbl",
    "odc-pddl",
    "other-at",
    "other-open",
    "other-pd",
)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_url(value: Any) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


def check_package(package: dict[str, Any]) -> list[str]:
    """The rules of the CKAN backend's schema this package breaks."""
    problems = [f"missing {key}" for key in PACKAGE_KEYS if key not in package]
    if package.get("type") != "dataset":
        problems.append(f"type {package.get('type')!r} is not 'dataset'")
    for key in ("notes", "license_title"):
        if not isinstance(package.get(key), str | type(None)):
            problems.append(f"{key} is neither text nor null")
    if not isinstance(package.get("private"), bool):
        problems.append("private is not a boolean")
    for tag in package.get("tags") or []:
        if not {"id", "name"} <= set(tag):
            problems.append(f"tag {tag!r} lacks id or name")
    for extra in package.get("extras") or []:
        if not {"key", "value"} <= set(extra):
            problems.append(f"extra {extra!r} lacks key or value")
        elif not isinstance(extra["value"], str | int | float | bool | dict | list):
            problems.append(f"extra {extra['key']} has a value of another type")
        elif extra["key"] == "spatial":
            problems.append("a spatial extra (only Polygons are accepted)")
    for resource in package.get("resources") or []:
        name = resource.get("name") or resource.get("id")
        problems += [
            f"resource {name}: missing {key}"
            for key in RESOURCE_KEYS
            if key not in resource
        ]
        if not isinstance(resource.get("position"), int):
            problems.append(f"resource {name}: position is not a whole number")
        if not isinstance(resource.get("format"), str):
            problems.append(f"resource {name}: format is not text")
        if not isinstance(resource.get("description"), str | type(None)):
            problems.append(f"resource {name}: description is neither text nor null")
        if not _is_url(resource.get("url")):
            problems.append(
                f"resource {name}: url {resource.get('url')!r} is not a URL"
            )
        if not _is_date(resource.get("created")):
            problems.append(f"resource {name}: created is not a date")
        if resource.get("last_modified") is not None and not _is_date(
            resource["last_modified"]
        ):
            problems.append(f"resource {name}: last_modified is not a date")
        if (resource.get("resource_type") or "file") not in RESOURCE_TYPES:
            problems.append(
                f"resource {name}: resource_type {resource['resource_type']!r}"
            )
    return problems


def guess_licence(identifier: Any = None, title: Any = None, url: Any = None) -> str:
    """data.gouv.fr's licence for what a portal gives: its id (case
    ignored), else a title or URL it knows, else ``notspecified``."""
    text = str(identifier or "").strip().lower()
    if text in DATAGOUV_LICENCES:
        return text
    for entry in register.licences():
        if entry.id not in DATAGOUV_LICENCES:
            continue
        if title and str(title).strip().lower() == entry.datagouv_title.lower():
            return entry.id
        if url and register.by_uri(str(url)) is entry:
            return entry.id
    return "notspecified"


def _get(app: Any, path: str, **params: Any) -> dict[str, Any]:
    response = app.get(path, query_string=params)
    assert response.status_code == 200, (path, response.status_code)
    body = response.json
    # A 200 with success false is a harvest failure for data.gouv.fr.
    assert body["success"] is True, body
    return body["result"]


def read_ckan(app: Any, organization: str | None = None) -> list[dict[str, Any]]:
    """The datasets data.gouv.fr's CKAN backend creates from this portal,
    optionally filtered on one organization as its source form allows."""
    if organization is None:
        names = _get(app, "/api/3/action/package_list")
    else:
        found = _get(
            app,
            "/api/3/action/package_search",
            q=f"organization:{organization}",
            rows=1000,
        )
        names = [d["name"] for d in found["results"]]
    datasets = []
    for name in names:
        package = _get(app, "/api/3/action/package_show", id=name)
        problems = check_package(package)
        assert not problems, (name, problems)
        resources = [
            _ckan_resource(r)
            for r in package["resources"]
            if (r.get("resource_type") or "file") in IMPORTED_TYPES
        ]
        if not resources:
            continue  # skipped by data.gouv.fr
        extras = {e["key"]: e["value"] for e in package.get("extras") or []}
        start, end = extras.get("temporal_start"), extras.get("temporal_end")
        datasets.append(
            {
                "remote_id": package["id"],
                "title": package["title"],
                "description": package["notes"],
                "license": guess_licence(
                    package["license_id"], package["license_title"]
                ),
                "frequency": extras.get("frequency"),
                "temporal": (start, end) if start and end else None,
                "tags": sorted(t["name"] for t in package["tags"]),
                "spatial_uri": extras.get("spatial-uri"),
                "resources": resources,
            }
        )
    return datasets


def _ckan_resource(resource: dict[str, Any]) -> dict[str, Any]:
    digest = resource.get("hash") or None
    return {
        "title": resource["name"],
        "url": resource["url"],
        "format": resource["format"].lower(),
        "hash": digest,
        "hash_type": HASH_TYPES.get(len(digest)) if digest else None,
    }


def catalogue_pages(app: Any, path: str = "/catalog.ttl") -> list[rdflib.Graph]:
    """Every page of the DCAT catalogue, following hydra's next links."""
    pages: list[rdflib.Graph] = []
    seen: set[str] = set()
    url: str | None = path
    while url:
        assert url not in seen, f"the catalogue pages loop at {url}"
        seen.add(url)
        response = app.get(url)
        assert response.status_code == 200, (url, response.status_code)
        graph = rdflib.Graph()
        graph.parse(data=response.body, format=_format(response.content_type))
        pages.append(graph)
        url = None
        for collection in graph.subjects(RDF.type, HYDRA.PagedCollection):
            following = graph.value(collection, HYDRA.next) or graph.value(
                collection, HYDRA.nextPage
            )
            if following:
                parts = urlsplit(str(following))
                url = parts.path + (f"?{parts.query}" if parts.query else "")
    return pages


def _format(content_type: str) -> str:
    kind = content_type.split(";")[0].strip()
    return {
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
        "application/json": "json-ld",
        "application/n-triples": "nt",
    }[kind]


def read_dcat(app: Any, path: str = "/catalog.ttl") -> list[dict[str, Any]]:
    """The datasets data.gouv.fr's DCAT backend creates from the catalogue."""
    datasets = []
    for graph in catalogue_pages(app, path):
        for node in graph.subjects(RDF.type, DCAT.Dataset):
            title = graph.value(node, DCT.title)
            if title is None:
                continue  # skipped by data.gouv.fr
            licences = [graph.value(node, DCT.license)] + [
                graph.value(d, DCT.license)
                for d in graph.objects(node, DCAT.distribution)
            ]
            licence = next(
                (guess_licence(url=uri) for uri in licences if uri is not None),
                "notspecified",
            )
            period = graph.value(node, DCT.temporal)
            start = graph.value(period, DCAT.startDate) if period else None
            end = graph.value(period, DCAT.endDate) if period else None
            contact = graph.value(node, DCAT.contactPoint)
            email = graph.value(contact, VCARD.hasEmail) if contact else None
            frequency = graph.value(node, DCT.accrualPeriodicity)
            datasets.append(
                {
                    "remote_id": str(graph.value(node, DCT.identifier)),
                    "title": str(title),
                    "description": str(graph.value(node, DCT.description) or ""),
                    "license": licence,
                    "frequency": str(frequency) if frequency else None,
                    "temporal": (str(start), str(end)) if start and end else None,
                    "tags": sorted(str(k) for k in graph.objects(node, DCAT.keyword)),
                    "contact": str(email).removeprefix("mailto:") if email else None,
                    "resources": _distributions(graph, node),
                }
            )
    return datasets


def _distributions(graph: rdflib.Graph, node: Any) -> list[dict[str, Any]]:
    found = []
    for distribution in graph.objects(node, DCAT.distribution):
        url = graph.value(distribution, DCAT.downloadURL) or graph.value(
            distribution, DCAT.accessURL
        )
        if url is None:
            continue  # skipped by data.gouv.fr
        checksum = graph.value(distribution, SPDX.checksum)
        digest = graph.value(checksum, SPDX.checksumValue) if checksum else None
        fmt = graph.value(distribution, DCT["format"])
        found.append(
            {
                "title": str(graph.value(distribution, DCT.title) or ""),
                "url": str(url),
                "format": str(fmt).rsplit("/", 1)[-1].lower() if fmt else None,
                "hash": str(digest) if digest else None,
                "hash_type": HASH_TYPES.get(len(str(digest))) if digest else None,
            }
        )
    return found
