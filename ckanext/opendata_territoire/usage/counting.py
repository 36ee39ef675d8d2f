"""Counting what visitors do with the data, on the server, as each response
leaves (a Flask ``after_request`` hook installed by the plugin's IMiddleware).

Counted, for active public datasets only, when the response succeeded:

- ``view``: the dataset's page (``resource_id`` empty) or a resource's page;
- ``download``: a resource downloaded through the portal
  (``/dataset/<id>/resource/<rid>/download``: the uploaded file, or the
  redirection to a remote file);
- ``dump``: a DataStore table downloaded (``/datastore/dump/<rid>``);
- ``api``: an action API call that reads one dataset or resource
  (``package_show``, ``resource_show``, ``datastore_search``,
  ``datastore_info``).

Each is counted once per visitor, target, kind and day: a visitor is an
address (the people of one town hall behind one address count once; behind
a reverse proxy, the address it forwards), known only by a salted hash of
it, kept in Redis with the
day's random salt for 48 hours at most, then gone; PostgreSQL keeps numbers
only (``territoire_usage_count``). Private and draft datasets are never
counted; self-declared robots (a user agent naming a bot, crawler or spider)
are not counted either.

CKAN 2.11's ckanext-tracking counts in the browser (JavaScript posting to
/_tracking), so it misses what reusers do most: direct downloads and API
calls from scripts; and it keeps an unsalted hash of each visitor forever.
Hence this mechanism instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import redis as ckan_redis
from flask import Response, request
from sqlalchemy.dialects.postgresql import insert

from ckanext.opendata_territoire.usage.model import UsageCount

log = logging.getLogger(__name__)

VIEW = "view"
DOWNLOAD = "download"
DUMP = "dump"
API = "api"
KINDS = (VIEW, DOWNLOAD, DUMP, API)

# The API actions that read one dataset or resource, and where they name it.
API_READS = {
    "package_show": ("id", "name_or_id"),
    "resource_show": ("id",),
    "datastore_search": ("resource_id", "id"),
    "datastore_info": ("id", "resource_id"),
}
ROBOT = re.compile(r"bot\b|bot/|crawl|spider|slurp", re.IGNORECASE)
# How long a day's salt and visitor hashes stay in Redis: the day itself,
# and the next one for requests around midnight.
VISITOR_TTL_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class Event:
    kind: str
    package_id: str
    resource_id: str = ""


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _dataset(reference: Any) -> model.Package | None:
    package = model.Package.get(str(reference)) if reference else None
    if package is None or package.state != "active" or package.private:
        return None
    return package


def _resource_event(kind: str, resource_id: Any) -> Event | None:
    resource = model.Resource.get(str(resource_id)) if resource_id else None
    if resource is None or resource.state != "active":
        return None
    package = _dataset(resource.package_id)
    if package is None:
        return None
    return Event(kind, str(package.id), str(resource.id))


def _api_parameters() -> dict[str, Any]:
    if request.method == "POST":
        return request.get_json(silent=True) or request.form.to_dict()
    return request.args.to_dict()


def _api_event(action: str) -> Event | None:
    parameters = _api_parameters()
    if not isinstance(parameters, dict):
        return None
    reference = next(
        (parameters[key] for key in API_READS[action] if parameters.get(key)), None
    )
    if action == "package_show":
        package = _dataset(reference)
        return Event(API, str(package.id)) if package else None
    return _resource_event(API, reference)


def event_of(
    endpoint: str | None, view_args: dict[str, Any] | None, status: int
) -> Event | None:
    """What the request did with which dataset or resource, if it counts."""
    if not endpoint or status not in (200, 302):
        return None
    args = view_args or {}
    view = endpoint.rsplit(".", 1)[-1]
    if endpoint == "datastore.dump" and status == 200:
        return _resource_event(DUMP, args.get("resource_id"))
    if endpoint == "api.action" and status == 200:
        action = str(args.get("logic_function") or "")
        return _api_event(action) if action in API_READS else None
    if "package_type" not in args:
        return None
    if view == "download" and "resource_id" in args:
        return _resource_event(DOWNLOAD, args["resource_id"])
    if view == "read" and status == 200:
        if "resource_id" in args:
            return _resource_event(VIEW, args["resource_id"])
        package = _dataset(args.get("id"))
        return Event(VIEW, str(package.id)) if package else None
    return None


def _prefix() -> str:
    return f"territoire:usage:{tk.config.get('ckan.site_id')}"


def first_of_the_day(event: Event, visitor: str, day: dt.date) -> bool:
    """Whether this visitor does this for the first time today (Redis keeps
    the day's salt and the salted hashes for 48 hours at most)."""
    redis = ckan_redis.connect_to_redis()
    salt_key = f"{_prefix()}:salt:{day.isoformat()}"
    redis.set(salt_key, secrets.token_hex(16), nx=True, ex=VISITOR_TTL_SECONDS)
    salt = redis.get(salt_key)
    digest = hashlib.sha256(
        b"|".join(
            [
                salt if isinstance(salt, bytes) else str(salt).encode(),
                visitor.encode(),
                event.kind.encode(),
                event.package_id.encode(),
                event.resource_id.encode(),
            ]
        )
    ).hexdigest()
    seen_key = f"{_prefix()}:seen:{day.isoformat()}"
    added = redis.sadd(seen_key, digest)
    redis.expire(seen_key, VISITOR_TTL_SECONDS)
    return bool(added)


def record(event: Event, day: dt.date, count: int = 1) -> None:
    """Add to the day's count (in its own transaction, apart from the
    request's session)."""
    statement = insert(UsageCount.__table__).values(
        package_id=event.package_id,
        resource_id=event.resource_id,
        kind=event.kind,
        day=day,
        count=count,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["package_id", "resource_id", "kind", "day"],
        set_={"count": UsageCount.__table__.c.count + statement.excluded.count},
    )
    with model.meta.engine.begin() as connection:
        connection.execute(statement)


def _networks() -> list[Any]:
    value = tk.config.get("ckanext.territoire.trusted_proxies") or []
    entries = value.split() if isinstance(value, str) else list(value)
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry), strict=False))
        except ValueError:
            log.warning("ckanext.territoire.trusted_proxies: %r is no address", entry)
    return networks


def _trusted(address: str, networks: list[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def visitor_address() -> str:
    """The visitor's address: the peer's, or behind proxies the peer trusts
    (``ckanext.territoire.trusted_proxies``) the last address of
    ``X-Forwarded-For`` that is not one of them. An untrusted peer's
    ``X-Forwarded-For`` is ignored: it could not make new visitors up."""
    peer = str(request.remote_addr or "")
    networks = _networks()
    header = request.headers.get("X-Forwarded-For", "")
    forwarded = [a.strip() for a in header.split(",") if a.strip()]
    if not forwarded or not _trusted(peer, networks):
        return peer
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            return address
    return forwarded[0]


def count_request(response: Response) -> Response:
    """The after_request hook: count the request if it is a counted event.
    Counting never breaks a response: a failure is logged."""
    if not tk.asbool(tk.config.get("ckanext.territoire.usage_counting")):
        return response
    if request.method not in ("GET", "POST"):
        return response
    if ROBOT.search(request.user_agent.string or ""):
        return response
    try:
        event = event_of(request.endpoint, request.view_args, response.status_code)
        if event is not None:
            day = today()
            # The address alone: with the browser's user agent too, a script
            # changing its user agent counted as a new visitor each time.
            visitor = visitor_address()
            if first_of_the_day(event, visitor, day):
                record(event, day)
    except Exception:
        log.exception("Could not count the request %s", request.path)
    return response
