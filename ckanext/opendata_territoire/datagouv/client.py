"""The files of a DECP source: the resources of a data.gouv.fr dataset
(API v2, paged, with v1 as a fallback) or one file URL; and their download,
checked whole.

data.gouv.fr's API (docs/reference/french_domain.md, sections 2.2 and 3):
``GET /api/2/datasets/{id}/resources/?page=1&page_size=50`` answers
``{"data": [...], "next_page": url or null, ...}``; each resource has ``id``,
``title``, ``format``, ``url``, ``latest``, ``checksum {type, value}``,
``filesize`` and ``last_modified`` (or ``extras["analysis:checksum"]``...).
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ckanext.opendata_territoire import outbound
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.language import portal_text

PAGE_SIZE = 50
MAX_PAGES = 200
CHUNK = 1 << 20
# The resource formats a DECP source takes: the JSON and XML files (2019,
# 2022) and the tabular consolidation (Parquet, CSV).
DECP_FORMATS = ("json", "xml", "parquet", "csv")
# Formats read by ranges when the server answers them (only the footer, the
# buyer column and the territory's row groups are fetched).
RANGED_FORMATS = ("parquet",)
# The file's tail fetched first (Parquet's footer and metadata), and the
# least fetched per request after (pyarrow's small reads would otherwise be
# one request each; its column chunks are read whole, in one request each).
RANGE_TAIL = 256 * 1024
RANGE_BLOCK = 64 * 1024

_DATASET_PATH = re.compile(
    r"^(?:/[a-z]{2})?/(?:api/[12]/)?datasets/(?!r/)([A-Za-z0-9_.\-]+)/?$"
)


# Answers that say "try again in a moment": a proxy or a server busy or
# restarting. Other errors (404, 500...) are not retried.
RETRY_STATUSES = (429, 502, 503, 504)


DEFAULT_RETRIES = 2


def retries() -> int:
    """``ckanext.territoire.http_retries``: how many times a GET that met a
    busy server or a failed connection is tried again."""
    value = tk.config.get("ckanext.territoire.http_retries")
    return max(0, int(value)) if value not in (None, "") else DEFAULT_RETRIES


def session(user_agent: str, retries: int) -> requests.Session:
    """An HTTP session for data.gouv.fr: GETs answered 429, 502, 503 or 504,
    or whose connection failed, are tried again ``retries`` times (after
    0.5 s, 1 s, 2 s..., or the Retry-After the server gives); a read that
    times out is not (the timeout already waited)."""
    http = requests.Session()
    http.headers["User-Agent"] = user_agent
    policy = Retry(
        total=retries,
        connect=retries,
        read=False,
        status=retries,
        other=0,
        backoff_factor=0.5,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    # Every connection checked: the source's URL and the files it lists are
    # a user's, so internal addresses are refused (outbound.py).
    outbound.guard(http, HTTPAdapter(max_retries=policy))
    return http


def _no_answer(url: str, timeout: float) -> str:
    return portal_text(N_("{url}: no answer within {timeout} s")).format(
        url=url, timeout=f"{timeout:g}"
    )


def _http(url: str, status: int) -> str:
    return portal_text(N_("{url}: HTTP {status}")).format(url=url, status=status)


class SourceError(Exception):
    """The source cannot be listed or a file cannot be downloaded whole;
    ``status`` is the HTTP status when the server answered one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class RemoteFile:
    key: str  # the resource id, or the URL of a direct file
    title: str
    url: str
    format: str
    checksum_type: str | None = None
    checksum: str | None = None
    size: int | None = None
    last_modified: str | None = None

    @property
    def fingerprint(self) -> str | None:
        """What tells whether the file changed since the last harvest: its
        checksum, or else its date and size; None when nothing does."""
        if self.checksum:
            return f"{self.checksum_type or 'checksum'}:{self.checksum}"
        if self.last_modified or self.size:
            return f"{self.last_modified}|{self.size}"
        return None


def dataset_id(url: str) -> str | None:
    """The data.gouv.fr dataset id or slug of a dataset page or API URL
    (``https://www.data.gouv.fr/fr/datasets/<slug>/``), None for another URL
    (then a file)."""
    return _match(urlsplit(url).path)


def _match(path: str) -> str | None:
    match = _DATASET_PATH.match(path)
    return match[1] if match else None


def api_base(url: str, configured: str) -> str:
    """The API root for a dataset URL: the configured data.gouv.fr when the
    URL is on it, else the URL's own site (a udata portal)."""
    configured = configured.rstrip("/")
    if url.startswith(configured + "/"):
        return configured
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def get_json(session: requests.Session, url: str, timeout: float) -> Any:
    try:
        response = session.get(
            url, timeout=timeout, headers={"Accept": "application/json"}
        )
    except requests.Timeout as error:
        raise SourceError(_no_answer(url, timeout)) from error
    except requests.RequestException as error:
        raise SourceError(f"{url}: {error}") from error
    if response.status_code != 200:
        raise SourceError(_http(url, response.status_code), response.status_code)
    try:
        return response.json()
    except ValueError as error:
        raise SourceError(
            portal_text(N_("{url}: the answer is not JSON")).format(url=url)
        ) from error


def list_resources(
    session: requests.Session, base: str, dataset: str, timeout: float
) -> list[dict[str, Any]]:
    """Every resource of the dataset, following the pages of API v2; API v1
    when v2 does not know the dataset (HTTP 404)."""
    resources: list[dict[str, Any]] = []
    try:
        for page in pages(
            session,
            f"{base}/api/2/datasets/{dataset}/resources/?page=1&page_size={PAGE_SIZE}",
            timeout,
            MAX_PAGES,
            loops=N_("{url}: the pages of the resource list loop"),
            not_a_page=N_("{url}: not a page of resources"),
        ):
            resources += page
    except SourceError as error:
        if not resources and error.status == 404:
            return _list_resources_v1(session, base, dataset, timeout)
        raise
    return resources


def pages(
    session: requests.Session,
    url: str,
    timeout: float,
    max_pages: int,
    *,
    loops: str,
    not_a_page: str,
) -> Iterator[list[dict[str, Any]]]:
    """The objects of each page of a udata API list (``{"data": [...],
    "next_page": url or null}``), from ``url`` on. A page seen twice, or more
    than ``max_pages``, raises SourceError(``loops``); an answer that is not
    a page raises SourceError(``not_a_page``) (msgids formatted with
    ``url``)."""
    next_url: str | None = url
    seen: set[str] = set()
    while next_url:
        if next_url in seen or len(seen) >= max_pages:
            raise SourceError(portal_text(loops).format(url=next_url))
        seen.add(next_url)
        page = get_json(session, next_url, timeout)
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise SourceError(portal_text(not_a_page).format(url=next_url))
        yield [item for item in page["data"] if isinstance(item, dict)]
        next_url = page.get("next_page") or None


def _list_resources_v1(
    session: requests.Session, base: str, dataset: str, timeout: float
) -> list[dict[str, Any]]:
    url = f"{base}/api/1/datasets/{dataset}/"
    data = get_json(session, url, timeout)
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise SourceError(portal_text(N_("{url}: not a dataset")).format(url=url))
    return [r for r in data["resources"] if isinstance(r, dict)]


def remote_file(resource: dict[str, Any]) -> RemoteFile:
    checksum = (
        resource.get("checksum") if isinstance(resource.get("checksum"), dict) else {}
    )
    extras = resource.get("extras") if isinstance(resource.get("extras"), dict) else {}
    value = (checksum or {}).get("value") or (extras or {}).get("analysis:checksum")
    kind = (checksum or {}).get("type") or ("sha1" if value else None)
    size = resource.get("filesize") or (extras or {}).get("analysis:content-length")
    url = str(resource.get("latest") or resource.get("url") or "")
    return RemoteFile(
        key=str(resource.get("id") or url),
        title=str(resource.get("title") or os.path.basename(urlsplit(url).path)),
        url=url,
        format=_format(resource.get("format"), url),
        checksum_type=str(kind).lower() if kind else None,
        checksum=str(value).lower() if value else None,
        size=int(str(size)) if str(size or "").isdigit() else None,
        last_modified=str(resource.get("last_modified") or "") or None,
    )


def _format(value: Any, url: str) -> str:
    text = str(value or "").strip().lower().lstrip(".")
    if text:
        return text
    return os.path.splitext(urlsplit(url).path)[1].lstrip(".").lower()


def choose(
    files: list[RemoteFile], formats: list[str], patterns: list[str]
) -> list[RemoteFile]:
    """The DECP files among a dataset's resources: of the chosen formats,
    not OCDS (another model), matching one of ``patterns`` (shell patterns on
    the title or id) when given."""
    chosen = []
    for file in files:
        if file.format not in formats or not file.url:
            continue
        if "ocds" in file.title.lower():
            continue
        if patterns and not any(
            fnmatch.fnmatch(file.title.lower(), p.lower()) or file.key == p
            for p in patterns
        ):
            continue
        chosen.append(file)
    return chosen


def direct_file(url: str) -> RemoteFile:
    name = os.path.basename(urlsplit(url).path) or url
    return RemoteFile(key=url, title=name, url=url, format=_format(None, url))


_HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}


def download(
    session: requests.Session, file: RemoteFile, folder: str, timeout: float
) -> str:
    """Downloads the file into ``folder``; raises SourceError unless it came
    whole: the HTTP status, the announced length and the checksum given by
    data.gouv.fr are checked."""
    path = os.path.join(folder, f"{hashlib.sha1(file.key.encode()).hexdigest()}.decp")
    digest = _HASHES.get(file.checksum_type or "", hashlib.sha1)()
    received = 0
    try:
        with session.get(file.url, stream=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise SourceError(
                    _http(file.url, response.status_code), response.status_code
                )
            announced = response.headers.get("Content-Length")
            with open(path, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
    except (requests.RequestException, OSError) as error:
        if isinstance(error, requests.Timeout) or "timed out" in str(error).lower():
            raise SourceError(_no_answer(file.url, timeout)) from error
        raise SourceError(
            portal_text(
                N_("{url}: the download stopped after {received} bytes ({error})")
            ).format(url=file.url, received=received, error=error)
        ) from error
    encoding = (response.headers.get("Content-Encoding") or "identity").lower()
    if announced and encoding == "identity" and received != int(announced):
        raise SourceError(
            portal_text(
                N_("{url}: {received} bytes received out of {announced} announced")
            ).format(url=file.url, received=received, announced=announced)
        )
    if (
        file.checksum
        and file.checksum_type in _HASHES
        and digest.hexdigest() != file.checksum
    ):
        raise SourceError(
            portal_text(
                N_(
                    "{url}: its {kind} is not the one data.gouv.fr gives (truncated "
                    "or changed during the download)"
                )
            ).format(url=file.url, kind=file.checksum_type)
        )
    return path


class RangeError(SourceError):
    """The server does not answer byte ranges (the file is then downloaded
    whole) or the file changed while it was read by ranges."""


class RangedFile(io.RawIOBase):
    """A remote file read by HTTP ``Range`` requests through the harvester's
    session, seekable, for pyarrow: only the parts asked are fetched
    (``fetched`` counts the bytes). Every answer must be a 206 for the
    range asked, of the same file (its ETag or date, and its size): a file
    replaced during the read raises RangeError, never a mix of two files."""

    def __init__(self, session: requests.Session, url: str, timeout: float) -> None:
        super().__init__()
        self.session, self.url, self.timeout = session, url, timeout
        self.position = 0
        self.fetched = 0
        self.requests = 0
        self.identity: tuple[str, str] | None = None
        self._cache_start = 0
        self._cache = b""
        # The footer first: it tells the size, and pyarrow reads it first.
        self.size = -1
        self._fetch(None, RANGE_TAIL)

    def _fetch(self, start: int | None, length: int) -> None:
        header = (
            f"bytes=-{length}"
            if start is None
            else (f"bytes={start}-{start + length - 1}")
        )
        try:
            with self.session.get(
                self.url, headers={"Range": header}, stream=True, timeout=self.timeout
            ) as response:
                if response.status_code == 200:
                    raise RangeError(
                        portal_text(N_("{url}: the server ignores byte ranges")).format(
                            url=self.url
                        )
                    )
                if response.status_code != 206:
                    raise SourceError(
                        _http(self.url, response.status_code), response.status_code
                    )
                first, total = _content_range(response.headers.get("Content-Range"))
                identity = (
                    response.headers.get("ETag")
                    or response.headers.get("Last-Modified")
                    or "",
                    str(total),
                )
                if self.identity is not None and identity != self.identity:
                    raise RangeError(
                        portal_text(
                            N_("{url}: the file changed while it was read")
                        ).format(url=self.url)
                    )
                self.identity = identity
                data = response.content
        except requests.RequestException as error:
            if isinstance(error, requests.Timeout):
                raise SourceError(_no_answer(self.url, self.timeout)) from error
            raise SourceError(f"{self.url}: {error}") from error
        if first is None or (start is not None and first != start):
            raise RangeError(
                portal_text(N_("{url}: the server answered another range")).format(
                    url=self.url
                )
            )
        self.requests += 1
        self.fetched += len(data)
        self.size = total
        self._cache_start, self._cache = first, data

    # io.RawIOBase

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}
        self.position = max(0, base[whence] + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(0, self.size - self.position))
        if wanted <= 0:
            return 0
        end = self.position + wanted
        cache_end = self._cache_start + len(self._cache)
        if not (self._cache_start <= self.position and end <= cache_end):
            self._fetch(self.position, max(wanted, RANGE_BLOCK))
            cache_end = self._cache_start + len(self._cache)
        offset = self.position - self._cache_start
        got = min(wanted, cache_end - self.position)
        view[:got] = self._cache[offset : offset + got]
        self.position += got
        return got


_CONTENT_RANGE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+)$")


def _content_range(value: str | None) -> tuple[int | None, int]:
    match = _CONTENT_RANGE.match((value or "").strip())
    if not match:
        return None, -1
    return int(match.group(1)), int(match.group(3))


def open_ranged(
    session: requests.Session,
    file: RemoteFile,
    timeout: float,
    worth: Callable[[RangedFile], bool] | None = None,
) -> RangedFile | None:
    """The file, read by ranges, when its format is read so, the server
    answers ranges and ``worth(file)`` (which may read its footer) says the
    ranges would spare most of it; None otherwise: it is then downloaded
    whole, as any other file."""
    if file.format not in RANGED_FORMATS:
        return None
    try:
        ranged = RangedFile(session, file.url, timeout)
        if file.size and ranged.size != file.size:
            return None
        if worth is not None and not worth(ranged):
            return None
    except RangeError:
        return None
    ranged.seek(0)
    return ranged
