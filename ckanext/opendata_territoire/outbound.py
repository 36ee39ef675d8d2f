"""Requests the portal makes on a user's behalf (a resource's link checked
or validated, a harvest source's URL and the files it lists) reach public
addresses only.

Without this, a commune editor's resource URL ``http://127.0.0.1:5000/...``
or ``http://169.254.169.254/...`` made the portal's workers request the
portal itself, the machine's other services or a cloud's metadata service,
and the validation report told whether they answered. As data.gouv.fr's own
harvester does (``URLS_ALLOW_PRIVATE``), an address that is not global
(loopback, private, link-local and metadata, shared, reserved, multicast) is
refused:

- after DNS resolution, on the address actually connected to (a name that
  resolves to a private address is refused, and a second resolution cannot
  swap the address between the check and the connection);
- on every redirect (each connection is checked);
- on input, for harvest source URLs (:func:`check_url`).

Allowed all the same: the services the portal's own configuration names
(data.gouv.fr, geo.api.gouv.fr, recherche-entreprises, schema.data.gouv.fr:
their scheme, host and port as configured, which an administrator chose),
and the hosts and networks of ``ckanext.territoire.private_addresses_allowed``
(a deployment that harvests an intranet).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.language import portal_text

# The options whose URLs are the portal's own configured services.
SERVICE_OPTIONS = (
    "ckanext.territoire.datagouv_url",
    "ckanext.territoire.geo_api_url",
    "ckanext.territoire.sirene_url",
    "ckanext.territoire.schema_catalog_url",
)
ALLOWED_OPTION = "ckanext.territoire.private_addresses_allowed"
DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressRefused(requests.ConnectionError):
    """The URL leads to an address the portal does not request on a user's
    behalf. A ConnectionError, so that every caller's handling of an
    unreachable server applies."""


def _origin(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None
    return parts.hostname.lower().rstrip("."), port


def configured_services() -> set[tuple[str, int]]:
    """(host, port) of each service the configuration names."""
    origins = set()
    for option in SERVICE_OPTIONS:
        origin = _origin(str(tk.config.get(option) or ""))
        if origin:
            origins.add(origin)
    return origins


def _allowed_entries() -> tuple[set[str], list[Network]]:
    """The hosts (names or ``host:port``) and networks of
    ``ckanext.territoire.private_addresses_allowed``."""
    value = tk.config.get(ALLOWED_OPTION) or []
    entries = value.split() if isinstance(value, str) else list(value)
    hosts: set[str] = set()
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry), strict=False))
        except ValueError:
            hosts.add(str(entry).lower().rstrip("."))
    return hosts, networks


def _is_public(address: IPAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def address_allowed(host: str, port: int, address: str) -> bool:
    """Whether the portal may connect to ``address`` for ``host:port``."""
    host = host.lower().rstrip(".")
    if (host, port) in configured_services():
        return True
    hosts, networks = _allowed_entries()
    if host in hosts or f"{host}:{port}" in hosts:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in networks):
        return True
    return _is_public(ip)


def _refusal(host: str, address: str) -> str:
    return portal_text(
        N_(
            "{host} leads to the address {address}, which is not public: the "
            "portal does not request internal addresses on a user's behalf."
        )
    ).format(host=host, address=address)


def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """The addresses of ``host``, each one checked; raises AddressRefused
    naming the first that is not allowed (all must be, so that no choice
    between them can reach an internal one)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        address = str(info[4][0])
        if not address_allowed(host, port, address):
            raise AddressRefused(_refusal(host, address))
    return infos


def check_url(url: str) -> None:
    """Raises AddressRefused when ``url`` leads to an address that is not
    allowed (checked on input; every connection is checked again). A name
    that does not resolve now passes: the fetch will say it failed."""
    origin = _origin(url)
    if origin is None:
        return
    try:
        resolve(*origin)
    except socket.gaierror:
        return


class _Guarded:
    """The connection part of urllib3's ``_new_conn``, to an address checked
    first (the TLS layer still checks the certificate against the name)."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            infos = resolve(self.host, self.port)
        except socket.gaierror as error:
            raise NewConnectionError(
                self,  # type: ignore[arg-type]
                f"Failed to resolve {self.host}: {error}",
            ) from error
        last: OSError | None = None
        for _family, _type, _proto, _name, sockaddr in infos:
            try:
                return urllib3_connection.create_connection(
                    (str(sockaddr[0]), self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(
                    self,
                    f"Connection to {self.host} timed out. "
                    f"(connect timeout={self.timeout})",
                ) from error
            except OSError as error:
                last = error
        raise NewConnectionError(
            self,  # type: ignore[arg-type]
            f"Failed to establish a new connection: {last}",
        )


class GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections are checked by :func:`resolve`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().send(request, *args, **kwargs)
        except requests.ConnectionError as error:
            refused = _refused_in(error)
            if refused is not None:
                raise refused from error
            raise


def _refused_in(error: BaseException) -> AddressRefused | None:
    """The AddressRefused that urllib3 wrapped (into MaxRetryError...)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, AddressRefused):
            return current
        seen.add(id(current))
        reason = getattr(current, "reason", None)
        current = (
            reason
            if isinstance(reason, BaseException)
            else (current.__cause__ or current.__context__)
        )
    return None


def guard(session: requests.Session, adapter: HTTPAdapter | None = None) -> None:
    """Mounts a guarded adapter (with ``adapter``'s retry policy, if given)
    on ``session`` for http and https."""
    retries: Any = adapter.max_retries if adapter is not None else 0
    guarded = GuardedAdapter(max_retries=retries)
    session.mount("http://", guarded)
    session.mount("https://", guarded)


def session(user_agent: str | None = None) -> requests.Session:
    """A requests session whose every connection is checked."""
    http = requests.Session()
    if user_agent:
        http.headers["User-Agent"] = user_agent
    guard(http)
    return http


def get(url: str, **kwargs: Any) -> requests.Response:
    """``requests.get`` through a guarded session."""
    return session("ckanext-opendata-territoire").get(url, **kwargs)
