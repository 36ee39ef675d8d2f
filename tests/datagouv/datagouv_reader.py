"""How data.gouv.fr reads a portal, restated for the tests: its CKAN backend
and its DCAT backend (shared/docs/reference/french_domain.md, sections 3 and
4; udata's ``udata/harvest/backends/ckan/``, ``backends/dcat.py``,
``core/dataset/rdf.py`` and ``rdf.py``), run over real HTTP against a portal.

This is our own restatement of the rules udata applies, not udata's code,
and it knows nothing of this extension: licences are guessed against
data.gouv.fr's own licence list (``fixtures/datagouv_licenses.json``, its
``GET /api/1/datasets/licenses/``), frequencies against udata's ids and its
tables of RDF frequency URIs.

Entry points::

    read_ckan(root_url, organization=None, tags=None) -> list[dict]
    read_dcat(root_url, extension="ttl") -> list[dict]

Both return one dict per dataset data.gouv.fr would create or update, in the
order it meets them, with the keys:

- ``remote_id``: what data.gouv.fr keys the dataset on (CKAN ``id``;
  ``dct:identifier`` in DCAT, as text);
- ``title``; ``description`` (text, stripped; udata turns HTML into
  Markdown, which leaves our Markdown as it is);
- ``license``: a data.gouv.fr licence id, guessed as ``License.guess`` does
  (exact id, title slug, URL, alternate URLs, URL without scheme, then an
  edit distance of 2 at most with a single candidate), default
  ``notspecified``;
- ``frequency``: a udata frequency id (``annual``...) or None;
- ``temporal``: ``(start, end)`` ISO dates (either may be None in DCAT;
  both are needed in CKAN) or None;
- ``tags``: sorted list of normalised tags (slug, 3 characters at least);
- ``spatial``: a GeoJSON MultiPolygon or None (neither backend maps zones:
  udata reads geometries only);
- ``extras``: dict of what udata copies into ``dataset.extras`` (CKAN: the
  other extras verbatim, ``ckan:spatial-uri``, ``ckan:spatial-text``,
  ``ckan:frequency``; DCAT: always empty here);
- ``contact_points``: list of ``{"role", "name", "email", "contact_form"}``
  (DCAT only; the CKAN backend reads no contact);
- ``remote_url``: the page data.gouv.fr links back to;
- ``slug`` (CKAN ``name``, DCAT None), ``created_at``, ``modified_at``;
- ``resources``: list of dicts with ``remote_id`` (CKAN id / DCAT
  ``dct:identifier``), ``title``, ``description``, ``url``, ``type``
  (``main``, ``api`` or ``other``), ``format`` (lower case), ``mime``,
  ``checksum`` (``{"type", "value"}`` or None; in DCAT the value as rdflib
  gives it: bytes for an ``xsd:hexBinary`` literal), ``filesize``,
  ``issued_at``, ``modified_at``.

A failure data.gouv.fr would report raises ``HarvestError``: a CKAN answer
that is not ``success: true`` (even with HTTP 200), HTML, an HTTP error, a
package the CKAN backend's schema refuses (``Invalid``, with every problem
listed: see ``validate_package``), a page that cannot be parsed.
Datasets data.gouv.fr skips (CKAN: no resource; DCAT: no ``dct:title``) are
left out of the list; ``CkanReader(root).read()`` and ``DcatReader(url)
.read()`` keep them in ``.skipped`` (and the DCAT pages in ``.pages``).
Datasets its validation refuses (DCAT: a checksum that is not a string)
are left out too, in ``DcatReader.failed`` with the message udata gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import dateutil.parser
import rdflib
import requests
from geomet import wkt
from rdflib.namespace import RDF, RDFS, SKOS
from slugify import slugify

TIMEOUT = 30
DEFAULT_LANGUAGE = "fr"  # udata's DEFAULT_LANGUAGE on data.gouv.fr
LICENSES_FILE = Path(__file__).parent / "fixtures" / "datagouv_licenses.json"
DEFAULT_LICENSE = "notspecified"
MAX_DISTANCE = 2
TAG_MIN_LENGTH, TAG_MAX_LENGTH = 3, 96

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SCHEMA = rdflib.Namespace("http://schema.org/")
SCV = rdflib.Namespace("http://purl.org/NET/scovo#")
LOCN = rdflib.Namespace("http://www.w3.org/ns/locn#")
GEODCAT = rdflib.Namespace("http://data.europa.eu/930/")
FREQ = "http://purl.org/cld/freq/"
EUFREQ = "http://publications.europa.eu/resource/authority/frequency/"
EUFORMAT = "http://publications.europa.eu/resource/authority/file-type/"
IANAFORMAT = "https://www.iana.org/assignments/media-types/"

# --- CKAN backend ----------------------------------------------------------

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
# The organization sub-schema: values are checked when the keys are there.
ORGANIZATION_KEYS = (
    "id",
    "description",
    "created",
    "title",
    "name",
    "revision_timestamp",
    "is_organization",
    "state",
    "image_url",
    "revision_id",
    "type",
    "approval_status",
)
RESOURCE_TYPES = (
    "file",
    "file.upload",
    "api",
    "documentation",
    "image",
    "visualization",
)
IMPORTED_RESOURCE_TYPES = ("dkan", "file", "file.upload", "api", "metadata")
HASH_TYPES = {32: "md5", 40: "sha1", 64: "sha256"}
TRUTHY = ("on", "t", "true", "y", "yes", "1")
FALSY = ("f", "false", "n", "no", "off", "0")

# udata's UpdateFrequency ids and legacy aliases (constants.py).
FREQUENCIES = frozenset(
    [
        "continuous",
        "oneMinute",
        "fiveMinutes",
        "tenMinutes",
        "fifteenMinutes",
        "thirtyMinutes",
        "hourly",
        "bihourly",
        "trihourly",
        "twelveHours",
        "severalTimesADay",
        "threeTimesADay",
        "semidaily",
        "daily",
        "fiveTimesAWeek",
        "threeTimesAWeek",
        "semiweekly",
        "weekly",
        "biweekly",
        "threeTimesAMonth",
        "semimonthly",
        "monthly",
        "bimonthly",
        "quarterly",
        "threeTimesAYear",
        "semiannual",
        "annual",
        "biennial",
        "triennial",
        "quadrennial",
        "quinquennial",
        "decennial",
        "bidecennial",
        "tridecennial",
        "punctual",
        "irregular",
        "never",
        "notPlanned",
        "other",
        "unknown",
    ]
)
# Dublin Core collection frequencies (purl.org/cld/freq) udata maps.
PURL_FREQUENCIES = {
    name: name
    for name in [
        "continuous",
        "daily",
        "threeTimesAWeek",
        "semiweekly",
        "weekly",
        "biweekly",
        "threeTimesAMonth",
        "semimonthly",
        "monthly",
        "bimonthly",
        "quarterly",
        "threeTimesAYear",
        "semiannual",
        "annual",
        "biennial",
        "triennial",
        "irregular",
    ]
}
# EU frequency authority table -> udata id.
EU_FREQUENCIES = {
    "UNKNOWN": "unknown",
    "UPDATE_CONT": "continuous",
    "1MIN": "oneMinute",
    "5MIN": "fiveMinutes",
    "10MIN": "tenMinutes",
    "15MIN": "fifteenMinutes",
    "30MIN": "thirtyMinutes",
    "HOURLY": "hourly",
    "BIHOURLY": "bihourly",
    "TRIHOURLY": "trihourly",
    "12HRS": "twelveHours",
    "CONT": "severalTimesADay",
    "DAILY_3": "threeTimesADay",
    "DAILY_2": "semidaily",
    "DAILY": "daily",
    "WEEKLY_5": "fiveTimesAWeek",
    "WEEKLY_3": "threeTimesAWeek",
    "WEEKLY_2": "semiweekly",
    "WEEKLY": "weekly",
    "BIWEEKLY": "biweekly",
    "MONTHLY_3": "threeTimesAMonth",
    "MONTHLY_2": "semimonthly",
    "MONTHLY": "monthly",
    "BIMONTHLY": "bimonthly",
    "QUARTERLY": "quarterly",
    "ANNUAL_3": "threeTimesAYear",
    "ANNUAL_2": "semiannual",
    "ANNUAL": "annual",
    "BIENNIAL": "biennial",
    "TRIENNIAL": "triennial",
    "QUADRENNIAL": "quadrennial",
    "QUINQUENNIAL": "quinquennial",
    "DECENNIAL": "decennial",
    "BIDECENNIAL": "bidecennial",
    "TRIDECENNIAL": "tridecennial",
    "AS_NEEDED": "punctual",
    "IRREG": "irregular",
    "NEVER": "never",
    "NOT_PLANNED": "notPlanned",
    "OTHER": "other",
}
CHECKSUM_ALGORITHMS = {
    SPDX.checksumAlgorithm_md5: "md5",
    SPDX.checksumAlgorithm_sha1: "sha1",
    SPDX.checksumAlgorithm_sha256: "sha256",
}
CONTACT_ROLES = {
    DCAT.contactPoint: "contact",
    DCT.creator: "creator",
    DCT.publisher: "publisher",
    DCT.rightsHolder: "rightsHolder",
    GEODCAT.custodian: "custodian",
    GEODCAT.distributor: "distributor",
    GEODCAT.originator: "originator",
    GEODCAT.principalInvestigator: "principalInvestigator",
    GEODCAT.processor: "processor",
    GEODCAT.resourceProvider: "resourceProvider",
    GEODCAT.user: "user",
}
# Formats by extension or media type (udata's guess_format).
RDF_FORMATS = {
    "ttl": "turtle",
    "rdf": "xml",
    "xml": "xml",
    "owl": "xml",
    "jsonld": "json-ld",
    "json": "json-ld",
    "n3": "n3",
    "nt": "nt",
    "trig": "trig",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "text/n3": "n3",
    "application/n-triples": "nt",
    "application/trig": "trig",
}
URL = re.compile(
    r"^(?P<scheme>[a-z0-9.\-]*)://"
    r"(?P<credentials>\S+(?::\S*)?@)?"
    r"(?:(?P<localhost>localhost(?:\.localdomain)?)"
    r"|(?P<ipv4>(?:\d{1,3}\.){3}\d{1,3})"
    r"|\[(?P<ipv6>[0-9a-f:]+)\]"
    r"|(?P<hostname>(?:[a-z\u00a1-\uffff0-9_]-?)*[a-z\u00a1-\uffff0-9]+"
    r"(?:\.(?:[a-z\u00a1-\uffff0-9_]-?)*[a-z\u00a1-\uffff0-9]+)*"
    r"\.(?P<tld>[a-z0-9\u00a1-\uffff]{2,})))"
    r"(?::\d{2,5})?(?:/\S*)?(?:\?\S*)?$",
    re.IGNORECASE,
)


class HarvestError(Exception):
    """What data.gouv.fr would report as a failed harvest or item."""


class Invalid(HarvestError):
    """A package_show answer the CKAN backend's schema refuses."""

    def __init__(self, name: str, problems: list[str]) -> None:
        super().__init__(f"{name}: " + "; ".join(problems))
        self.problems = problems


# --- shared rules ----------------------------------------------------------


def normalize_tag(value: str) -> str:
    """udata's tag: a lower-case slug, empty under 3 characters, cut at 96."""
    tag = slugify(value.lower())
    return "" if len(tag) < TAG_MIN_LENGTH else tag[:TAG_MAX_LENGTH]


def valid_url(value: Any, own_host: str | None = None) -> str | None:
    """The URL when udata's uris.validate accepts it (http(s)/ftp, no
    credentials, no local or private address), else None. ``own_host`` is
    the portal under test: on 127.0.0.1 it stands for its public domain."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    match = URL.match(url)
    if not match:
        return None
    if match["scheme"].lower() not in ("http", "https", "ftp", "ftps"):
        return None
    if match["credentials"]:
        return None
    if own_host and urlsplit(url).netloc == own_host:
        return url
    if match["localhost"] or match["ipv6"]:
        return None
    ip = match["ipv4"]
    if ip:
        first, second = (int(part) for part in ip.split(".")[:2])
        if (
            first in (0, 10, 127)
            or (first == 169 and second == 254)
            or (first == 172 and 16 <= second <= 31)
            or (first == 192 and second == 168)
        ):
            return None
    return url


def parse_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return dateutil.parser.parse(str(value)).date()


def _distance(first: str, second: str) -> int:
    """Levenshtein distance."""
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            )
        previous = current
    return previous[-1]


def datagouv_licences() -> list[dict[str, Any]]:
    licences: list[dict[str, Any]] = json.loads(LICENSES_FILE.read_text())
    return licences


def _single(candidates: Iterable[str]) -> str | None:
    found = set(candidates)
    return found.pop() if len(found) == 1 else None


def guess_licence_one(text: Any) -> str | None:
    """data.gouv.fr's licence id for one string, as License.guess_one."""
    if not text:
        return None
    text = str(text).strip().lower()
    slug = slugify(text)
    licences = datagouv_licences()
    for entry in licences:
        if (
            entry["id"] == text
            or slugify(entry["title"]) == slug
            or (entry["url"] or "").lower() == text
            or text in (u.lower() for u in entry["alternate_urls"])
        ):
            return str(entry["id"])
    if valid_url(text):
        parts = urlsplit(text)
        query = parts.netloc + parts.path.rstrip("/")
        for entry in licences:
            if query in (entry["url"] or "").lower() or any(
                query in u for u in entry["alternate_urls"]
            ):
                return str(entry["id"])
    found = _single(
        e["id"]
        for e in licences
        if _distance(slugify(e["title"]), slug) <= MAX_DISTANCE
    )
    found = found or _single(
        e["id"] for e in licences if _distance(e["title"].lower(), text) <= MAX_DISTANCE
    )
    return found or _single(
        e["id"]
        for e in licences
        for title in e["alternate_titles"]
        if _distance(slugify(title), slug) <= MAX_DISTANCE
    )


def guess_licence(*strings: Any, default: str = DEFAULT_LICENSE) -> str:
    """License.guess: the first string (or the first URL in it, then the
    rest of it) that names a data.gouv.fr licence."""
    for string in strings:
        if string is None:
            continue
        string = str(string)
        match = re.search(r"(https?://\S+)", string.rstrip("."))
        parts = (match[1], string.replace(match[1], "").strip()) if match else (string,)
        for part in parts:
            found = guess_licence_one(part)
            if found:
                return found
    return default


def frequency_from_uri(value: Any) -> str | None:
    """udata's frequency for a purl.org or EU frequency URI."""
    text = str(value)
    if text.startswith(FREQ):
        return PURL_FREQUENCIES.get(text.removeprefix(FREQ))
    if text.startswith(EUFREQ):
        return EU_FREQUENCIES.get(text.removeprefix(EUFREQ))
    return None


# --- CKAN backend ----------------------------------------------------------


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dateutil.parser.parse(value)
    except (ValueError, OverflowError):
        return False
    return True


def _boolean(value: Any) -> bool:
    """Whether udata's ``boolean`` filter accepts the value."""
    if value is None or isinstance(value, bool | int):
        return True
    return isinstance(value, str) and value.strip().lower() in (*TRUTHY, *FALSY, "")


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _email_or_empty(value: Any) -> bool:
    return not value or (isinstance(value, str) and "@" in value)


def validate_package(package: Any, own_host: str | None = None) -> list[str]:
    """Every rule of the CKAN backend's schema (voluptuous, every key
    required, extra keys allowed) this package_show result breaks."""
    if not isinstance(package, dict):
        return ["the result is not an object"]
    problems = [f"missing key {key}" for key in PACKAGE_KEYS if key not in package]
    for key in ("id", "name", "title"):
        if key in package and not isinstance(package[key], str):
            problems.append(f"{key} is not text")
    for key in ("notes", "license_title", "author", "maintainer", "state"):
        if key in package and not _text_or_none(package[key]):
            problems.append(f"{key} is neither text nor null")
    if not isinstance(package.get("license_id") or "not-specified", str):
        problems.append("license_id is not text")
    for key in ("author_email", "maintainer_email"):
        if key in package and not _email_or_empty(package[key]):
            problems.append(f"{key} {package[key]!r} is not an email address")
    for key in ("metadata_created", "metadata_modified"):
        if key in package and not _is_date(package[key]):
            problems.append(f"{key} is not a date")
    if "private" in package and not _boolean(package["private"]):
        problems.append("private is not a boolean")
    if "type" in package and package["type"] != "dataset":
        problems.append(f"type {package['type']!r} is not 'dataset'")
    problems += _organization_problems(package.get("organization"))
    tags = package.get("tags")
    if "tags" in package and not isinstance(tags, list):
        problems.append("tags is not a list")
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, dict) or not {"id", "name"} <= set(tag):
            problems.append(f"tag {tag!r} lacks id or name")
        elif not isinstance(tag["name"], str) or not isinstance(tag["id"], str):
            problems.append(f"tag {tag!r}: id and name must be text")
        elif not _text_or_none(tag.get("vocabulary_id")) or not isinstance(
            tag.get("display_name", ""), str
        ):
            problems.append(f"tag {tag['name']}: vocabulary_id or display_name")
    extras = package.get("extras", [])
    if not isinstance(extras, list):
        problems.append("extras is not a list")
    for extra in extras if isinstance(extras, list) else []:
        if not isinstance(extra, dict) or not {"key", "value"} <= set(extra):
            problems.append(f"extra {extra!r} lacks key or value")
        elif not isinstance(extra["key"], str):
            problems.append(f"extra key {extra['key']!r} is not text")
        elif not (
            isinstance(extra["value"], str | float | dict | list)
            or _boolean(extra["value"])
        ):
            problems.append(f"extra {extra['key']} has a value of another type")
    resources = package.get("resources")
    if "resources" in package and not isinstance(resources, list):
        problems.append("resources is not a list")
    for resource in resources if isinstance(resources, list) else []:
        problems += _resource_problems(resource, own_host)
    return problems


def _organization_problems(organization: Any) -> list[str]:
    if organization is None:
        return []
    if not isinstance(organization, dict):
        return ["organization is neither an object nor null"]
    # Conservative: the sub-schema sits inside Any(), where keys are not
    # required; an unknown key may be refused (a Schema built without
    # extra=True), so none is accepted here.
    problems = [
        f"organization has the key {key}, unknown to the schema"
        for key in organization
        if key not in ORGANIZATION_KEYS
    ]
    for key in ("id", "description", "title", "name", "state", "image_url"):
        if key in organization and not isinstance(organization[key], str):
            problems.append(f"organization {key} is not text")
    for key in ("created", "revision_timestamp"):
        if key in organization and not _is_date(organization[key]):
            problems.append(f"organization {key} is not a date")
    if "is_organization" in organization and not _boolean(
        organization["is_organization"]
    ):
        problems.append("organization is_organization is not a boolean")
    if organization.get("type", "organization") != "organization":
        problems.append("organization type is not 'organization'")
    if organization.get("approval_status", "approved") != "approved":
        problems.append("organization approval_status is not 'approved'")
    return problems


def _resource_problems(resource: Any, own_host: str | None) -> list[str]:
    if not isinstance(resource, dict):
        return [f"resource {resource!r} is not an object"]
    name = resource.get("name") or resource.get("id")
    found = [f"missing key {key}" for key in RESOURCE_KEYS if key not in resource]
    if "id" in resource and not isinstance(resource["id"], str):
        found.append("id is not text")
    position = resource.get("position")
    if "position" in resource and (
        not isinstance(position, int) or isinstance(position, bool)
    ):
        found.append("position is not a whole number")
    if not isinstance(resource.get("name") or "", str):
        found.append("name is not text")
    if "format" in resource and not isinstance(resource["format"], str):
        found.append(f"format {resource['format']!r} is not text")
    for key in ("description", "mimetype", "hash"):
        if key in resource and not _text_or_none(resource[key]):
            found.append(f"{key} is neither text nor null")
    size = resource.get("size")
    if size is not None:
        try:
            int(size)
        except (TypeError, ValueError):
            found.append(f"size {size!r} is not a number")
    if "created" in resource and not _is_date(resource["created"]):
        found.append("created is not a date")
    if resource.get("last_modified") is not None and not _is_date(
        resource["last_modified"]
    ):
        found.append("last_modified is neither a date nor null")
    url = resource.get("url")
    if "url" in resource and not valid_url(
        url if not isinstance(url, str) or "://" in url else f"http://{url}",
        own_host,
    ):
        found.append(f"url {url!r} is refused")
    if "resource_type" in resource and (
        (resource["resource_type"] or "file") not in RESOURCE_TYPES
    ):
        found.append(f"resource_type {resource['resource_type']!r}")
    return [f"resource {name}: {problem}" for problem in found]


class CkanReader:
    """data.gouv.fr's CKAN backend over one portal."""

    def __init__(self, root_url: str, session: requests.Session | None = None):
        self.root = root_url
        self.own_host = urlsplit(root_url).netloc
        self.session = session or requests.Session()
        self.skipped: list[str] = []

    def action(self, endpoint: str, **params: Any) -> Any:
        """One API call; the result, or HarvestError as udata raises it."""
        url = urljoin(self.root, f"api/3/action/{endpoint}")
        response = self.session.get(
            url,
            params=params,
            headers={"content-type": "application/json"},
            timeout=TIMEOUT,
        )
        try:
            response.raise_for_status()
        except requests.HTTPError as error:
            raise HarvestError(f"{url}: HTTP {response.status_code}") from error
        mime = response.headers.get("Content-Type", "").split(";", 1)[0]
        if mime == "application/json":
            body = response.json()
            # CKAN may answer 200 with success false: a harvest failure.
            if body.get("success", False):
                return body["result"]
            raise HarvestError(f"{url}: success false: {body.get('error')!r}")
        if mime == "text/html":
            raise HarvestError(f"Unknown Error: {url} returned HTML")
        raise HarvestError(response.text.strip('"'))

    def names(
        self, organization: str | None = None, tags: str | None = None
    ) -> list[str]:
        """The names listed: package_list, or package_search with rows=1000
        when the harvester has filters."""
        filters = [
            f"{key}:{value}"
            for key, value in (("organization", organization), ("tags", tags))
            if value
        ]
        if filters:
            found = self.action("package_search", q=" AND ".join(filters), rows=1000)
            return [d["name"] for d in found["results"]]
        return list(self.action("package_list"))

    def read(
        self, organization: str | None = None, tags: str | None = None
    ) -> list[dict[str, Any]]:
        datasets = []
        for name in self.names(organization, tags):
            package = self.action("package_show", id=name)
            if isinstance(package, list):  # DKAN
                package = package[0]
            problems = validate_package(package, self.own_host)
            if problems:
                raise Invalid(name, problems)
            if not package["resources"]:
                self.skipped.append(package["id"])
                continue
            datasets.append(self.dataset(package))
        return datasets

    def dataset(self, package: dict[str, Any]) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        frequency = spatial = start = end = None
        for extra in package.get("extras") or []:
            key, value = extra["key"], extra["value"]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if key == "spatial":
                spatial = _multipolygon(
                    value if isinstance(value, dict) else json.loads(value)
                )
            elif key == "spatial-text":
                # data.gouv.fr looks for one zone of that exact name or slug.
                extras["ckan:spatial-text"] = value
            elif key == "spatial-uri":
                extras["ckan:spatial-uri"] = value
            elif key == "frequency":
                frequency = frequency_from_uri(value) or (
                    value if value in FREQUENCIES else None
                )
                if frequency is None:
                    extras["ckan:frequency"] = value
            elif key == "temporal_start":
                start = _date_or_none(value)
            elif key == "temporal_end":
                end = _date_or_none(value)
            else:
                extras[key] = value
        remote_url = urljoin(self.root, f"dataset/{package['name']}")
        if package.get("url") and valid_url(package["url"]):
            remote_url = package["url"]
        notes = (package["notes"] or "").replace("\r\n", "\n").strip()
        return {
            "remote_id": package["id"],
            "slug": package["name"],
            "title": package["title"],
            "description": notes,
            "license": guess_licence(
                package["license_id"] or "not-specified", package["license_title"]
            ),
            "tags": sorted({normalize_tag(t["name"]) for t in package["tags"]} - {""}),
            "frequency": frequency,
            "temporal": (start, end) if start and end else None,
            "spatial": spatial,
            "extras": extras,
            "contact_points": [],
            "remote_url": remote_url,
            "created_at": parse_date(package["metadata_created"]).isoformat(),  # type: ignore[union-attr]
            "modified_at": None,
            "resources": [
                self.resource(r)
                for r in package["resources"]
                if (r["resource_type"] or "file") in IMPORTED_RESOURCE_TYPES
            ],
        }

    def resource(self, resource: dict[str, Any]) -> dict[str, Any]:
        digest = resource["hash"] or None
        kind = HASH_TYPES.get(len(digest)) if digest else None
        return {
            "remote_id": resource["id"],
            "title": resource["name"] or "",
            "description": (resource["description"] or "").strip() or None,
            "url": resource["url"],
            "type": "main",
            "format": resource["format"].lower(),
            "mime": (resource["mimetype"] or "").lower() or None,
            "checksum": {"type": kind, "value": digest} if kind else None,
            "filesize": int(resource["size"]) if resource["size"] else None,
            "issued_at": _iso(resource["created"]),
            "modified_at": _iso(resource["last_modified"]),
        }


def _date_or_none(value: Any) -> str | None:
    try:
        return parse_date(value).isoformat()  # type: ignore[union-attr]
    except (ValueError, OverflowError):
        return None  # udata logs an unparseable date and goes on


def _iso(value: Any) -> str | None:
    found = parse_date(value)
    return found.isoformat() if found else None


def _multipolygon(geometry: Any) -> dict[str, Any]:
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise HarvestError(f"Spatial geometry {geometry} without `type`")
    if geometry["type"] == "Polygon":
        return {"type": "MultiPolygon", "coordinates": [geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": geometry["coordinates"]}
    raise HarvestError(f"Unsupported spatial geometry {geometry['type']}")


GEOJSON_TYPES = {
    "http://www.opengis.net/ont/geosparql#geoJSONLiteral",
    "https://www.iana.org/assignments/media-types/application/vnd.geo+json",
}
WKT_TYPES = {
    "http://www.opengis.net/ont/geosparql#wktLiteral",
    "http://www.opengis.net/rdf#wktLiteral",
}


def _literal_geometry(value: rdflib.Literal) -> dict[str, Any] | None:
    """A geometry literal as udata parses it (``json.loads`` of GeoJSON,
    geomet's ``wkt.loads`` of the upper-cased WKT), else None."""
    datatype = str(value.datatype or "")
    try:
        if datatype in GEOJSON_TYPES:
            return json.loads(str(value))
        if datatype in WKT_TYPES:
            return wkt.loads(str(value).strip().upper())
    except (ValueError, TypeError):
        return None  # udata logs it and reads on
    return None


def _bbox_text(text: str) -> dict[str, Any] | None:
    """udata's ``bbox_to_geojson_multipolygon`` for a bare literal
    "west,south,east,north" (some ArcGIS servers)."""
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        return None
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "MultiPolygon", "coordinates": [[ring]]}


def read_ckan(
    root_url: str, organization: str | None = None, tags: str | None = None
) -> list[dict[str, Any]]:
    """The datasets data.gouv.fr's CKAN backend creates from the portal at
    ``root_url``, optionally filtered as its source form allows."""
    return CkanReader(root_url).read(organization, tags)


# --- DCAT backend ----------------------------------------------------------


def _lang_value(graph: rdflib.Graph, node: Any, predicate: Any) -> Any:
    """The value in udata's default language among several, else the first."""
    values = list(graph.objects(node, predicate))
    for value in values:
        if isinstance(value, rdflib.Literal) and value.language == DEFAULT_LANGUAGE:
            return value
    return values[0] if values else None


def _serialize(graph: rdflib.Graph, value: Any, unwrap: Iterable[Any] = ()) -> Any:
    """A term as text; a node by the first of ``unwrap`` it has."""
    if value is None:
        return None
    if isinstance(value, rdflib.Literal):
        return value.toPython()
    if isinstance(value, (rdflib.BNode, rdflib.URIRef)):
        for predicate in unwrap:
            inner = _lang_value(graph, value, predicate)
            if inner is not None and (found := _serialize(graph, inner)):
                return found
        return None if isinstance(value, rdflib.BNode) else str(value)
    return str(value)


def _value(graph: rdflib.Graph, node: Any, predicate: Any, unwrap=()) -> Any:
    return _serialize(graph, _lang_value(graph, node, predicate), unwrap)


def _values(graph: rdflib.Graph, node: Any, predicate: Any) -> list[Any]:
    found: list[Any] = []
    for value in graph.objects(node, predicate):
        text = _serialize(graph, value, (RDFS.label, DCT.description))
        if text and text not in found:
            found.append(text)
    return found


def _is_resource(value: Any) -> bool:
    return isinstance(value, rdflib.BNode | rdflib.URIRef)


class DcatReader:
    """data.gouv.fr's DCAT backend over one catalogue."""

    def __init__(self, url: str, session: requests.Session | None = None):
        self.url = url
        self.session = session or requests.Session()
        self.skipped: list[str] = []
        self.failed: dict[str, str] = {}
        self.pages: list[rdflib.Graph] = []

    def format(self) -> str:
        extension = urlsplit(self.url).path.rsplit(".", 1)[-1]
        if extension in RDF_FORMATS:
            return RDF_FORMATS[extension]
        response = self.session.head(self.url, timeout=TIMEOUT)
        mime = response.headers.get("Content-Type", "").split(";", 1)[0]
        if mime not in RDF_FORMATS:
            raise HarvestError(f'Unsupported mime type "{mime}"')
        return RDF_FORMATS[mime]

    def walk(self) -> Iterator[rdflib.Graph]:
        """Every page, following the first known pagination class: a
        hydra:PartialCollectionView's hydra:next, or a hydra:PagedCollection's
        hydra:nextPage (not its hydra:next)."""
        fmt = self.format()
        url: str | None = self.url
        seen: set[str] = set()
        while url:
            if url in seen:
                raise HarvestError(f"the catalogue pages loop at {url}")
            seen.add(url)
            response = self.session.get(url, timeout=TIMEOUT)
            try:
                response.raise_for_status()
            except requests.HTTPError as error:
                raise HarvestError(f"{url}: HTTP {response.status_code}") from error
            graph = rdflib.Graph()
            try:
                graph.parse(data=response.text, format=fmt)
            except Exception as error:  # any parser's error fails the job
                raise HarvestError(f"{url} is not {fmt}: {error}") from error
            url = None
            for cls, prop in (
                (HYDRA.PartialCollectionView, HYDRA.next),
                (HYDRA.PagedCollection, HYDRA.nextPage),
            ):
                pagination = graph.value(predicate=RDF.type, object=cls)
                if pagination is not None:
                    following = graph.value(pagination, prop)
                    url = str(following) if following is not None else None
                    break
            self.pages.append(graph)
            yield graph

    def read(self) -> list[dict[str, Any]]:
        datasets = []
        for graph in self.walk():
            nodes: list[Any] = []
            for kind in (DCAT.Dataset, DCAT.DatasetSeries):
                nodes += [n for n in graph.subjects(RDF.type, kind) if n not in nodes]
            for node in nodes:
                if self._external(graph, node):
                    continue
                if not _value(graph, node, DCT.title):
                    self.skipped.append(str(node))  # "missing title on dataset"
                    continue
                dataset = self.dataset(graph, node)
                problem = self.invalid(dataset)
                if problem:
                    self.failed[dataset["remote_id"]] = problem
                    continue
                datasets.append(dataset)
        return datasets

    @staticmethod
    def invalid(dataset: dict[str, Any]) -> str | None:
        """What udata's validation of the Dataset document refuses, failing
        the item (the dataset is not created): a checksum value that is not
        a string (``Checksum.value`` is a ``StringField``; rdflib's
        ``toPython()`` gives bytes for an ``xsd:hexBinary`` literal)."""
        for number, resource in enumerate(dataset["resources"]):
            checksum = resource.get("checksum")
            if checksum and not isinstance(checksum["value"], str):
                return (
                    f"resources.{number}.checksum.value: "
                    "StringField only accepts string values"
                )
        return None

    @staticmethod
    def _external(graph: rdflib.Graph, node: Any) -> bool:
        """A node only named by a data service (servesDataset/hasPart)."""
        if _value(graph, node, DCT.title):
            return False
        links = [p for _, p in graph.subject_predicates(node)]
        return len(links) == 1 and links[0] in (DCAT.servesDataset, DCT.hasPart)

    def dataset(self, graph: rdflib.Graph, node: Any) -> dict[str, Any]:
        description = _lang_value(graph, node, DCT.description) or _lang_value(
            graph, node, DCT.abstract
        )
        resources = [
            r
            for predicate in (DCAT.distribution, DCAT.distributions)
            for d in graph.objects(node, predicate)
            if (r := self.resource(graph, d)) is not None
        ]
        resources += [
            {**r, "type": "other"}
            for part in graph.objects(node, DCT.hasPart)
            if isinstance(part, rdflib.URIRef)
            and (r := self.resource(graph, part, url=str(part))) is not None
        ]
        licences = _values(graph, node, DCT.license)
        rights = _values(graph, node, DCT.rights)
        of_resources = [licence for r in resources for licence in r.pop("licenses")]
        landing = _value(graph, node, DCAT.landingPage)
        uri = str(node) if isinstance(node, rdflib.URIRef) else None
        return {
            "remote_id": str(_value(graph, node, DCT.identifier)),
            "slug": None,
            "title": str(_value(graph, node, DCT.title)),
            "description": (
                str(description).strip()
                if isinstance(description, rdflib.Literal)
                else ""
            ),
            "license": guess_licence(*licences, *rights, *of_resources),
            "tags": self.tags(graph, node),
            "frequency": self.frequency(graph.value(node, DCT.accrualPeriodicity)),
            "temporal": self.temporal(graph, graph.value(node, DCT.temporal)),
            "spatial": self.spatial(graph, graph.objects(node, DCT.spatial)),
            "extras": {},
            "contact_points": self.contacts(graph, node),
            "remote_url": valid_url(landing) or valid_url(uri),
            "created_at": _iso_or_none(_value(graph, node, DCT.created)),
            "modified_at": _iso_or_none(_value(graph, node, DCT.modified)),
            "resources": resources,
        }

    @staticmethod
    def frequency(term: Any) -> str | None:
        if isinstance(term, rdflib.Literal):
            text = str(term).lower()
            by_id = {k.lower(): v for k, v in PURL_FREQUENCIES.items()}
            by_eu = {k.lower(): v for k, v in EU_FREQUENCIES.items()}
            return by_id.get(text) or by_eu.get(text)
        return frequency_from_uri(term) if term is not None else None

    @staticmethod
    def tags(graph: rdflib.Graph, node: Any) -> list[str]:
        words = [
            str(k) for k in graph.objects(node, DCAT.keyword) if not _is_resource(k)
        ]
        for theme in graph.objects(node, DCAT.theme):
            label = (
                _value(graph, theme, SKOS.prefLabel)
                if _is_resource(theme)
                else str(theme)
            )
            if label:
                words.append(str(label))
        return sorted({normalize_tag(w) for w in words} - {""})

    @staticmethod
    def temporal(graph: rdflib.Graph, period: Any) -> tuple[Any, Any] | None:
        if period is None:
            return None
        try:
            if isinstance(period, rdflib.Literal):
                text = str(period)
                if text.count("/") == 1:
                    start, end = text.split("/")
                    return _iso(start), _iso(end)
                if "-" not in text:
                    return f"{int(text)}-01-01", f"{int(text)}-12-31"
                return None
            if isinstance(period, rdflib.URIRef):
                return None  # udata fetches the remote ontology
            for first, last in (
                (SCHEMA.startDate, SCHEMA.endDate),
                (DCAT.startDate, DCAT.endDate),
                (SCV.min, SCV.max),
            ):
                start, end = graph.value(period, first), graph.value(period, last)
                if start or end:
                    return _iso_or_none(start), _iso_or_none(end)
        except (ValueError, OverflowError):
            return None  # udata logs it and reads on
        return None

    @staticmethod
    def spatial(graph: rdflib.Graph, places: Iterable[Any]) -> dict[str, Any] | None:
        """udata's ``spatial_from_rdf``: of every ``dct:spatial`` node, each
        literal object typed as GeoJSON (GeoSPARQL or the older IANA type) or
        WKT (GeoSPARQL or the old OGC prefix), whatever its predicate
        (``locn:geometry``, ``dcat:bbox``...); a bare literal is a bbox string.
        The Polygons and MultiPolygons found merge, without duplicates, into
        one MultiPolygon. No zone is mapped from a URI."""
        polygons: list[Any] = []
        for place in places:
            shapes = []
            if isinstance(place, rdflib.Literal):
                shapes.append(_bbox_text(str(place)))
            else:
                for value in graph.objects(place):
                    if isinstance(value, rdflib.Literal):
                        shapes.append(_literal_geometry(value))
            for shape in shapes:
                if not shape:
                    continue
                if shape.get("type") == "Polygon":
                    parts = [shape["coordinates"]]
                elif shape.get("type") == "MultiPolygon":
                    parts = shape["coordinates"]
                else:
                    continue
                polygons.extend(p for p in parts if p not in polygons)
        if not polygons:
            return None
        return {"type": "MultiPolygon", "coordinates": polygons}

    @staticmethod
    def contacts(graph: rdflib.Graph, node: Any) -> list[dict[str, Any]]:
        found = []
        for predicate, role in CONTACT_ROLES.items():
            for agent in graph.objects(node, predicate):
                if isinstance(agent, rdflib.Literal):
                    infos: tuple[Any, Any, Any] = (str(agent), None, None)
                elif predicate == DCAT.contactPoint:
                    infos = _vcard(graph, agent)
                    if not any(infos):
                        infos = _foaf(graph, agent)
                else:
                    infos = _foaf(graph, agent)
                    if not any(infos):
                        infos = _vcard(graph, agent)
                if any(infos):
                    name, email, form = infos
                    found.append(
                        {
                            "role": role,
                            "name": name,
                            "email": email,
                            "contact_form": form,
                        }
                    )
        return found

    def resource(
        self, graph: rdflib.Graph, node: Any, url: str | None = None
    ) -> dict[str, Any] | None:
        url = (
            url
            or _value(graph, node, DCAT.downloadURL)
            or _value(graph, node, DCAT.accessURL)
        )
        if not url:
            return None  # udata creates no resource without a URL
        fmt = self._format(graph, node)
        title = _value(graph, node, DCT.title)
        if not title:
            last = str(url).split("/")[-1]
            if "." in last and "?" not in last:
                title = last
            else:
                title = f"{fmt} resource" if fmt else "Nameless resource"
        checksum = None
        digest_node = graph.value(node, SPDX.checksum)
        if digest_node is not None:
            algorithm = CHECKSUM_ALGORITHMS.get(
                graph.value(digest_node, SPDX.algorithm)
            )
            if algorithm:
                checksum = {
                    "type": algorithm,
                    # As rdflib gives it: bytes for an xsd:hexBinary literal.
                    "value": _value(graph, digest_node, SPDX.checksumValue),
                }
        mime = _value(graph, node, DCAT.mediaType, unwrap=(RDFS.label,))
        if isinstance(mime, str) and mime.startswith(IANAFORMAT):
            mime = mime.removeprefix(IANAFORMAT)
        description = _lang_value(graph, node, DCT.description)
        size = _value(graph, node, DCAT.byteSize)
        return {
            "remote_id": _value(graph, node, DCT.identifier),
            "title": str(title),
            "description": str(description).strip() if description else None,
            "url": str(url),
            "type": "api" if graph.value(node, DCAT.accessService) else "main",
            "format": fmt,
            "mime": mime,
            "checksum": checksum,
            "filesize": int(size) if size is not None else None,
            "issued_at": _iso_or_none(_value(graph, node, DCT.issued)),
            "modified_at": _iso_or_none(_value(graph, node, DCT.modified)),
            "licenses": _values(graph, node, DCT.license),
        }

    @staticmethod
    def _format(graph: rdflib.Graph, node: Any) -> str | None:
        value = _value(graph, node, DCT["format"], unwrap=(RDFS.label,))
        if not value:
            return None
        text = str(value)
        if text.startswith(EUFORMAT):
            return text.removeprefix(EUFORMAT).lower()
        if text.startswith(IANAFORMAT):
            return text.split("/")[-1].lower()
        return text.lower()


def _vcard(graph: rdflib.Graph, agent: Any) -> tuple[Any, Any, Any]:
    name = _value(graph, agent, VCARD.fn)
    organization = _value(graph, agent, VCARD["organization-name"])
    email = _value(graph, agent, VCARD.hasEmail) or _value(graph, agent, VCARD.email)
    form = (
        _value(graph, agent, VCARD.hasURL)
        or _value(graph, agent, VCARD.url)
        or _value(graph, agent, VCARD.hasUrl)
    )
    return (
        _contact_name(name, organization),
        str(email).replace("mailto:", "").strip() if email else None,
        str(form) if form else None,
    )


def _foaf(graph: rdflib.Graph, agent: Any) -> tuple[Any, Any, Any]:
    name = _value(graph, agent, FOAF.name) or _value(graph, agent, SKOS.prefLabel)
    email = _value(graph, agent, FOAF.mbox)
    organization = graph.value(agent, ORG.memberOf)
    if organization is not None:
        name = _contact_name(name, _value(graph, organization, FOAF.name))
        email = email or _value(graph, organization, FOAF.mbox)
    return (
        _contact_name(name, None),
        str(email).replace("mailto:", "").strip() if email else None,
        None,
    )


def _contact_name(agent: Any, organization: Any) -> str | None:
    if agent and organization:
        return f"{agent} ({organization})"
    return str(agent or organization or "") or None


def _iso_or_none(value: Any) -> str | None:
    try:
        return _iso(value)
    except (ValueError, OverflowError):
        return None


def read_dcat(root_url: str, extension: str = "ttl") -> list[dict[str, Any]]:
    """The datasets data.gouv.fr's DCAT backend creates from the catalogue
    at ``{root_url}/catalog.{extension}``."""
    return DcatReader(f"{root_url.rstrip('/')}/catalog.{extension}").read()
