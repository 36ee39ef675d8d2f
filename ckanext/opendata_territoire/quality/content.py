"""The content of a resource: read from the portal's storage (an upload) or
from its link (http and https only), and read as a table (CSV).

Only reads: nothing of a resource is ever sent anywhere.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
import requests
from ckan.lib import uploader

from ckanext.opendata_territoire import outbound

# Formats read as tables (the SCDL files are CSV).
TABLE_FORMATS = frozenset({"csv", "tsv"})
TABLE_SUFFIXES = frozenset({".csv", ".tsv"})
DELIMITERS = (";", ",", "\t", "|")
CHUNK = 64 * 1024


class Unreadable(Exception):
    """The content cannot be read; ``reason``: ``unreachable`` (the link does
    not answer, or with an error), ``refused`` (the link leads to an internal
    address, see outbound.py), ``not_stored`` (the upload is not in this
    portal's storage), ``not_a_table`` (not text with a delimiter)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def _get(resource: Any, key: str) -> Any:
    if isinstance(resource, dict):
        return resource.get(key)
    return getattr(resource, key, None)


def content_key(resource: Any) -> str:
    """What changes when the content of a resource may have changed: its
    link, or its upload's name and date."""
    modified = _get(resource, "last_modified")
    if modified is not None and not isinstance(modified, str):
        modified = modified.isoformat()
    return "|".join(
        (
            str(_get(resource, "url_type") or "link"),
            str(_get(resource, "url") or ""),
            str(modified or ""),
        )
    )


def is_table(resource: Any) -> bool:
    """Whether the resource is declared (or named) as a CSV file."""
    declared = str(_get(resource, "format") or "").strip().lower()
    if declared:
        return declared in TABLE_FORMATS
    path = urlparse(str(_get(resource, "url") or "")).path
    return PurePosixPath(path).suffix.lower() in TABLE_SUFFIXES


def _timeout() -> int:
    return tk.config.get("ckanext.territoire.fetch_timeout")


def _local_path(resource: Any) -> str:
    upload = uploader.get_resource_uploader(
        {"url_type": "upload", "url": _get(resource, "url")}
    )
    get_path = getattr(upload, "get_path", None)
    path = get_path(_get(resource, "id")) if get_path else None
    if not path or not os.path.isfile(path):
        raise Unreadable("not_stored")
    return path


def chunks(resource: Any, max_bytes: int) -> Iterator[bytes]:
    """The content, at most ``max_bytes`` of it, in chunks."""
    if _get(resource, "url_type") == "upload":
        with open(_local_path(resource), "rb") as stored:
            yield from _limited(stored, max_bytes)
        return
    url = str(_get(resource, "url") or "")
    if urlparse(url).scheme not in ("http", "https"):
        raise Unreadable("unreachable", url)
    try:
        with outbound.get(url, stream=True, timeout=_timeout()) as response:
            if response.status_code >= 400:
                raise Unreadable("unreachable", f"HTTP {response.status_code}")
            read = 0
            for chunk in response.iter_content(CHUNK):
                yield chunk[: max_bytes - read]
                read += len(chunk)
                if read >= max_bytes:
                    return
    except outbound.AddressRefused as error:
        raise Unreadable("refused", str(error)) from error
    except requests.RequestException as error:
        raise Unreadable("unreachable", type(error).__name__) from error


def _limited(stream: IO[bytes], max_bytes: int) -> Iterator[bytes]:
    read = 0
    while read < max_bytes:
        chunk = stream.read(min(CHUNK, max_bytes - read))
        if not chunk:
            return
        read += len(chunk)
        yield chunk


def head(resource: Any, max_bytes: int) -> tuple[bytes, bool]:
    """The first ``max_bytes`` of the content, and whether there is more."""
    raw = b"".join(chunks(resource, max_bytes + 1))
    return raw[:max_bytes], len(raw) > max_bytes


def decode(raw: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 if it is, else Windows-1252 (the
    encoding of a CSV saved by a French Excel)."""
    if b"\x00" in raw[:CHUNK]:
        raise Unreadable("not_a_table", "binary")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        # A chunk may end in the middle of a character.
        if error.start >= len(raw) - 3:
            return raw[: error.start].decode("utf-8-sig"), "utf-8"
    return raw.decode("cp1252", errors="replace"), "cp1252"


def delimiter(first_line: str) -> str:
    """The delimiter the header line uses most."""
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if not counts[best]:
        raise Unreadable("not_a_table", "no delimiter")
    return best


def parse(raw: bytes, max_rows: int, truncated: bool = False) -> Table:
    """Read ``raw`` as CSV: the header and at most ``max_rows`` rows. When
    ``raw`` is only the head of the file, its last line may be cut: dropped."""
    text, encoding = decode(raw)
    if truncated and "\n" in text:
        text = text[: text.rindex("\n")]
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise Unreadable("not_a_table", "empty")
    sep = delimiter(lines[0])
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = [label.strip() for label in next(reader)]
    rows: list[list[str]] = []
    for row in reader:
        if len(rows) >= max_rows:
            break
        rows.append(row)
    return Table(header=header, rows=rows, encoding=encoding, delimiter=sep)


def sample(resource: Any, max_rows: int, max_bytes: int) -> Table:
    """The header and first rows of a CSV resource."""
    raw, truncated = head(resource, max_bytes)
    return parse(raw, max_rows, truncated)


def download(resource: Any, destination: str, max_bytes: int) -> bool:
    """Write the content of ``resource`` to the file ``destination``, at most
    ``max_bytes`` of it ending on a whole line; True when it was cut."""
    written = 0
    with open(destination, "wb") as target:
        for chunk in chunks(resource, max_bytes + 1):
            target.write(chunk)
            written += len(chunk)
    if written <= max_bytes:
        return False
    with open(destination, "rb+") as target:
        data = target.read(max_bytes)
        end = data.rfind(b"\n")
        target.truncate(end + 1 if end >= 0 else max_bytes)
    return True
