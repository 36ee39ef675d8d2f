"""Streamed readers of DECP files: the 2019 JSON layout, the 2022 JSON layout
and XML (both versions), told apart by :func:`detect_format`.

Memory does not grow with the file: JSON is read with ijson (its C backend,
yajl2_c, when installed) one contract at a time, XML with lxml's iterparse,
each contract's element freed once read. The XML parser resolves no entity,
loads no DTD and opens no network connection.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import ijson
from lxml import etree

from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp import prefilter
from ckanext.opendata_territoire.decp.records import (
    Buyers,
    RawRecord,
    ReadStats,
    kind_2019,
    other_buyer,
)
from ckanext.opendata_territoire.i18n_markers import N_

BUFFER_SIZE = 32 * 1024  # measured a little faster than 16 or 64 KiB here
BOM = b"\xef\xbb\xbf"
CONCESSION_MARK = b'"contrat-concession"'
# More brackets open than this and the file is refused: a DECP record nests
# a few levels, while ijson's memory grows with the square of the depth
# (20,000 levels take 1 GB). Brackets inside strings are counted too (the
# count must stay a few byte scans per chunk), hence the margin.
MAX_DEPTH = 4096
SEARCH_CHUNK = 64 * 1024
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class DecpReadError(Exception):
    """The file cannot be read to its end (not DECP, invalid, truncated).
    ``records`` tells how many records were read before the problem. The
    message is an English template (a msgid) and its values:
    :meth:`translated` gives it in another language."""

    def __init__(self, template: str, records: int = 0, **values: Any) -> None:
        self.template = template
        self.values = {"records": records, **values}
        self.message = template.format(**self.values)
        super().__init__(self.message)
        self.records = records
        # yajl refused the text (the file may hold bare NaN or Infinity).
        self.json_error = False

    def translated(self, translate: Callable[[str], str]) -> str:
        return translate(self.template).format(**self.values)


# The first element of an XML document: after its declaration, comments,
# processing instructions and doctype.
_XML_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.:-]*)")


class TooDeep(Exception):
    """Raised by :class:`CountingReader` when more JSON brackets are open
    than :data:`MAX_DEPTH`."""


class CountingReader(io.RawIOBase):
    """A binary file wrapper that skips a UTF-8 byte-order mark, counts the
    bytes read (for a progress bar and to place items in the file) and, for
    JSON (``max_depth``), refuses brackets nested deeper than
    ``max_depth``."""

    def __init__(
        self,
        raw: BinaryIO,
        progress: Callable[[int], None] | None = None,
        max_depth: int | None = MAX_DEPTH,
    ) -> None:
        self.raw = raw
        self.progress = progress
        self.max_depth = max_depth
        self.depth = 0
        self.bytes_read = 0
        self._first = True

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.raw.read(size if size is not None else -1)
        if self._first and data:
            self._first = False
            if data.startswith(BOM):
                self.bytes_read += len(BOM)
                data = data[len(BOM) :]
        self.bytes_read += len(data)
        if self.max_depth is not None:
            # One pass keeps the brackets only (three times faster than
            # counting each in the chunk); then openers minus closers.
            brackets = data.translate(None, _NOT_BRACKETS)
            self.depth += 2 * (brackets.count(b"[") + brackets.count(b"{"))
            self.depth -= len(brackets)
            if self.depth > self.max_depth:
                raise TooDeep()
        if self.progress is not None:
            self.progress(self.bytes_read)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# A JSON string, or a bare non-finite number as Python's json.dump and pandas
# write them (not JSON: yajl refuses them), or a quote that opens a string
# the text does not close.
_NON_FINITE_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|-?Infinity|NaN|"')
_NON_FINITE_MARKS = (b"NaN", b"Infinity")
_WORD_TAIL = re.compile(rb"[-A-Za-z]+\Z")


def has_non_finite(fp: BinaryIO) -> bool:
    """Whether ``NaN`` or ``Infinity`` is written anywhere in the file (in a
    string too: the caller then reads through :class:`NonFiniteReader`,
    which tells them apart). A byte search, about a second a gigabyte; the
    file is left where it was."""
    start = fp.tell()
    carry = b""
    try:
        while True:
            chunk = fp.read(SEARCH_CHUNK * 16)
            if not chunk:
                return False
            text = carry + chunk
            if any(mark in text for mark in _NON_FINITE_MARKS):
                return True
            carry = text[-8:]
    finally:
        fp.seek(start)


class NonFiniteReader(io.RawIOBase):
    """JSON as Python's ``json.dump`` and pandas write it: the bare tokens
    ``NaN``, ``Infinity`` and ``-Infinity`` (outside strings) become
    ``null``, counted in ``stats.non_finite``. Strings are matched whole
    (escapes included), across chunks, so a title holding "NaN" is left as
    it is. ``bytes_read`` is the wrapped reader's (offsets in the file)."""

    def __init__(self, source: CountingReader, stats: ReadStats) -> None:
        self.source = source
        self.stats = stats
        self._pending = b""  # read, not yet transformed (an open string...)
        self._ready = b""  # transformed, not yet given
        self._ended = False

    @property
    def bytes_read(self) -> int:
        return self.source.bytes_read

    def readable(self) -> bool:
        return True

    def _fill(self, size: int) -> None:
        while len(self._ready) < size and not self._ended:
            data = self.source.read(max(size, BUFFER_SIZE))
            if not data:
                self._ended = True
                text, self._pending = self._pending, b""
                self._ready += self._transform(text, final=True)
                return
            text = self._pending + data
            self._pending = b""
            self._ready += self._transform(text, final=False)

    def _transform(self, text: bytes, final: bool) -> bytes:
        out = []
        position = 0
        for match in _NON_FINITE_TOKEN.finditer(text):
            token = match.group()
            if token == b'"':
                if final:
                    break  # an unterminated string: the parser says so
                out.append(text[position : match.start()])
                self._pending = text[match.start() :]
                return b"".join(out)
            if token.startswith(b'"'):
                continue
            out.append(text[position : match.start()])
            out.append(b"null")
            position = match.end()
            self.stats.non_finite += 1
        rest = text[position:]
        if not final:
            # A token cut by the chunk's end ("Infin" | "ity") waits.
            tail = _WORD_TAIL.search(rest)
            if tail:
                self._pending = rest[tail.start() :] + self._pending
                rest = rest[: tail.start()]
        out.append(rest)
        return b"".join(out)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            self._fill(1 << 62)
            data, self._ready = self._ready, b""
            return data
        self._fill(size)
        data, self._ready = self._ready[:size], self._ready[size:]
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def detect_format(fp: BinaryIO) -> str:
    """``json-2019``, ``json-2022`` or ``xml``, from the file's beginning; the
    file is left at its start. Raises DecpReadError when it is none of them."""
    start = fp.tell()
    head = fp.read(4096)
    fp.seek(start)
    text = head[len(BOM) :] if head.startswith(BOM) else head
    text = text.lstrip()
    if text.startswith(b"<"):
        root = _XML_ROOT.search(text)
        name = root.group(1).decode("utf-8", "replace") if root else ""
        if name and name.rpartition(":")[2] != "marches":
            raise DecpReadError(
                N_("not a DECP file: its XML root is <{root}>, not <marches>"),
                root=name,
            )
        return f.XML
    if not text.startswith(b"{"):
        raise DecpReadError(N_("not a DECP file: neither JSON nor XML"))
    try:
        for prefix, event, _value in ijson.parse(CountingReader(fp)):
            if prefix == "marches":
                if event == "start_array":
                    return f.JSON_2019
                if event == "start_map":
                    return f.JSON_2022
                break
            if prefix == "" and event == "end_map":
                break
    except TooDeep as error:
        raise _read_error(error, 0) from error
    except ijson.JSONError as error:
        raise DecpReadError(
            N_("invalid JSON before the contracts: {error}"), error=_one_line(error)
        ) from error
    finally:
        fp.seek(start)
    raise DecpReadError(N_('not a DECP file: no "marches" list or object'))


def read_records(
    fp: BinaryIO,
    file_format: str | None = None,
    progress: Callable[[int], None] | None = None,
    buyers: Buyers | None = None,
    stats: ReadStats | None = None,
) -> Iterator[RawRecord]:
    """Every contract of a DECP file, in file order (for the 2022 JSON
    layout, the marchés then the concessions). ``fp`` must be a seekable
    binary file. ``progress(bytes_read)`` is called as the file is read.
    With ``buyers`` (SIRENs, SIRETs), the records of other buyers (see
    :func:`other_buyer`) are counted in ``stats`` but not yielded: the test
    runs on the parsed item, before anything else is made of it. A JSON file
    of :data:`prefilter.MIN_SIZE` or more is searched first for the records
    that may be the buyers' (decp/prefilter.py: only they are parsed), or
    read in full when the search is in doubt.

    Raises DecpReadError when the file is not DECP or cannot be read to its
    end (the records before were yielded)."""
    file_format = file_format or detect_format(fp)
    stats = stats if stats is not None else ReadStats()
    if buyers is not None and file_format in (f.JSON_2019, f.JSON_2022):
        # A large file searched for the buyers first (decp/prefilter.py);
        # None: read in full.
        found = prefilter.scan(fp, file_format, buyers, progress)
        if found is not None:
            yield from found.records(stats)
            return
    if file_format == f.JSON_2019:
        yield from _json_pass(
            fp, progress, "marches.item", f.V2019, None, buyers, stats
        )
    elif file_format == f.JSON_2022:
        start = fp.tell()
        yield from _json_pass(
            fp, progress, "marches.marche.item", f.V2022, f.MARCHE, buyers, stats
        )
        # Concessions sit under their own key: read them in a second pass,
        # only when that key is in the file.
        if _has_concessions(fp, start, stats.first_at, stats.last_at):
            fp.seek(start)
            counted = stats.non_finite
            try:
                yield from _json_pass(
                    fp,
                    progress,
                    "marches.contrat-concession.item",
                    f.V2022,
                    f.CONCESSION,
                    buyers,
                    stats,
                )
            finally:
                # This pass reads the whole file again: its bare NaN were
                # counted by the first one (they were counted twice).
                stats.non_finite = counted
    elif file_format == f.XML:
        for record in _xml_records(fp, progress):
            stats.records = record.position
            if buyers is not None and other_buyer(record.kind, record.data, buyers):
                stats.skipped += 1
            else:
                yield record
    else:
        raise ValueError(f"unknown DECP file format {file_format!r}")


def _json_pass(
    fp: BinaryIO,
    progress: Callable[[int], None] | None,
    prefix: str,
    version: str,
    kind: str | None,
    buyers: Buyers | None,
    stats: ReadStats,
) -> Iterator[RawRecord]:
    """One pass over the items under ``prefix``, from the file's current
    position. A file holding bare ``NaN`` or ``Infinity`` (Python's
    json.dump, pandas) stops yajl; the pass then starts again through
    :class:`NonFiniteReader`, past the records already read: the common
    file pays nothing for the rare one."""
    start, records = fp.tell(), stats.records
    try:
        yield from _json_items(
            CountingReader(fp, progress), prefix, version, kind, buyers, stats
        )
        return
    except DecpReadError as error:
        fp.seek(start)
        if not error.json_error or not has_non_finite(fp):
            raise
    reached = stats.records
    stats.records = records
    fp.seek(start)
    yield from _json_items(
        NonFiniteReader(CountingReader(fp, progress), stats),
        prefix,
        version,
        kind,
        buyers,
        stats,
        skip_until=reached,
    )


def _has_concessions(fp: BinaryIO, start: int, first_at: int, last_at: int) -> bool:
    """Whether the concessions' key is in a 2022 file whose marchés' list
    was read with its first item parsed at ``first_at`` bytes and its last at
    ``last_at`` (-1: no item). The key is a sibling of that list, so it can
    only be before its first item or after its last: only those parts of the
    file are searched (searching every chunk as it was read cost 4 % of the
    read)."""
    ranges: list[tuple[int, int | None]]
    if first_at < 0:
        ranges = [(start, None)]
    else:
        # An item ends within the buffer read last when it is parsed.
        tail = max(start, start + last_at - 2 * BUFFER_SIZE)
        ranges = [(start, start + first_at), (tail, None)]
    for begin, end in ranges:
        fp.seek(begin)
        remaining = None if end is None else end - begin
        carry = b""
        while remaining is None or remaining > 0:
            size = SEARCH_CHUNK if remaining is None else min(SEARCH_CHUNK, remaining)
            chunk = fp.read(size)
            if not chunk:
                break
            if CONCESSION_MARK in carry + chunk[: len(CONCESSION_MARK)] or (
                CONCESSION_MARK in chunk
            ):
                return True
            carry = chunk[-len(CONCESSION_MARK) :]
            if remaining is not None:
                remaining -= len(chunk)
    return False


def _json_items(
    source: CountingReader | NonFiniteReader,
    prefix: str,
    version: str,
    kind: str | None,
    buyers: Buyers | None,
    stats: ReadStats,
    skip_until: int = 0,
) -> Iterator[RawRecord]:
    """The items under ``prefix``; those at positions up to ``skip_until``
    (read by a pass that stopped) are passed over, neither yielded nor
    counted again."""
    if kind is None or buyers is None or skip_until:
        yield from _json_items_any(
            source, prefix, version, kind, buyers, stats, skip_until
        )
        return
    # The hot loop of a national file, one kind, some buyers: the buyer test
    # of other_buyer() inlined (a function call per record costs more than
    # the test).
    position, skipped = stats.records, 0
    sirens, sirets = buyers
    key = f.BUYER_KEY[kind]
    flat = key + ".id"
    first_at = last_at = -1
    try:
        for item in ijson.items(source, prefix, use_float=True, buf_size=BUFFER_SIZE):
            position += 1
            last_at = source.bytes_read
            if first_at < 0:
                first_at = last_at
            if item.__class__ is dict:
                buyer = item.get(key)
                value = buyer.get("id") if buyer.__class__ is dict else item.get(flat)
                if (
                    value.__class__ is str
                    and len(value) == 14
                    and value[:9] not in sirens
                    and value not in sirets
                ):
                    skipped += 1
                    continue
            stats.records, stats.skipped, skipped = position, stats.skipped + skipped, 0
            yield RawRecord(version, kind, item, position)
    except (ijson.JSONError, TooDeep) as error:
        stats.records, stats.skipped = position, stats.skipped + skipped
        raise _read_error(error, position) from error
    stats.records, stats.skipped = position, stats.skipped + skipped
    stats.first_at, stats.last_at = first_at, last_at


def _json_items_any(
    source: CountingReader | NonFiniteReader,
    prefix: str,
    version: str,
    kind: str | None,
    buyers: Buyers | None,
    stats: ReadStats,
    skip_until: int = 0,
) -> Iterator[RawRecord]:
    position = stats.records
    stats.first_at = stats.last_at = -1
    try:
        for item in ijson.items(source, prefix, use_float=True, buf_size=BUFFER_SIZE):
            position += 1
            stats.last_at = source.bytes_read
            if stats.first_at < 0:
                stats.first_at = stats.last_at
            # Read again past a stop (NaN): counted by the pass that stopped,
            # read all the same (set aside as before, not yielded again).
            stats.records = position
            if position <= skip_until:
                continue
            item_kind = kind or kind_2019(item)
            if buyers is not None and other_buyer(item_kind, item, buyers):
                stats.skipped += 1
                continue
            yield RawRecord(version, item_kind, item, position)
    except (ijson.JSONError, TooDeep) as error:
        stats.records = position
        raise _read_error(error, position) from error


def _read_error(error: Exception, records: int) -> DecpReadError:
    if isinstance(error, TooDeep):
        return DecpReadError(
            N_(
                "brackets nested more than {depth} levels deep after {records}"
                " records: not a DECP file"
            ),
            records,
            depth=MAX_DEPTH,
        )
    if "premature EOF" in str(error):
        return DecpReadError(
            N_("the file stops before its end (truncated?) after {records} records"),
            records,
        )
    invalid = DecpReadError(
        N_("invalid JSON after {records} records: {error}"),
        records,
        error=_one_line(error),
    )
    invalid.json_error = True
    return invalid


def _one_line(error: Exception) -> str:
    """yajl's message (first line) and the text where it stopped."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " — ".join(lines[:2])


# XML

_KINDS = {"marche": f.MARCHE, "contrat-concession": f.CONCESSION}


def _xml_records(
    fp: BinaryIO, progress: Callable[[int], None] | None
) -> Iterator[RawRecord]:
    source = CountingReader(fp, progress, max_depth=None)  # brackets are text
    parser = etree.iterparse(
        source,
        events=("end",),
        tag=("{*}marche", "{*}contrat-concession"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    position = 0
    try:
        for _event, element in parser:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # not a child of the root <marches>
            position += 1
            kind = _KINDS[etree.QName(element).localname]
            version = _xml_version(element)
            data = _xml_object(element, version)
            yield RawRecord(version, kind, data, position)
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        raise DecpReadError(
            N_("invalid or truncated XML after {records} records: {error}"),
            position,
            error=str(error),
        ) from error


def _local(element: Any) -> str:
    return str(etree.QName(element).localname)


def _elements(element: Any) -> list[Any]:
    """The child elements (not the comments, entities...)."""
    return [child for child in element if isinstance(child.tag, str)]


def _xml_version(element: Any) -> str:
    names = {_local(child) for child in _elements(element)}
    return f.V2022 if names & f.ONLY_2022 else f.V2019


def _xml_object(element: Any, version: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for child in _elements(element):
        key = _local(child)
        value = _xml_value(child, key, _local(element), version)
        if key in result:  # a repeated element outside the known lists
            previous = result[key]
            result[key] = (
                [*previous, value]
                if isinstance(previous, list)
                else [
                    previous,
                    value,
                ]
            )
        else:
            result[key] = value
    return result


def _xml_value(element: Any, key: str, parent: str, version: str) -> Any:
    children = _elements(element)
    if version == f.V2022 and key in f.WRAPPED_LISTS_2022 and parent != "tarif":
        item = f.WRAPPED_LISTS_2022[key]
        return [
            {item: _xml_object(child, version)}
            for child in children
            if _local(child) == item
        ]
    if version == f.V2022 and key in f.VALUE_LISTS_2022:
        item = f.VALUE_LISTS_2022[key]
        return {item: [_text(child) for child in children if _local(child) == item]}
    if version == f.V2019 and key in f.LISTS_2019:
        item = f.LISTS_2019[key]
        return [
            _xml_object(child, version) for child in children if _local(child) == item
        ]
    if children:
        return _xml_object(element, version)
    return _typed(_text(element), key, parent, version)


def _text(element: Any) -> str | None:
    """The element's own text (an unresolved entity is left out)."""
    parts = [element.text or ""]
    parts += [child.tail or "" for child in element if not isinstance(child.tag, str)]
    text = "".join(parts).strip()
    return text or None


_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
TRUE_WORDS = frozenset({"oui", "true", "1", "vrai", "yes"})
FALSE_WORDS = frozenset({"non", "false", "0", "faux", "no"})


def _typed(text: str | None, key: str, parent: str, version: str) -> Any:
    """An XML leaf's text as the JSON value the format wants (XML says
    ``oui`` where JSON says ``true``). Text that does not fit stays text, for
    the cleaning rules."""
    if text is None:
        return None
    integer = key in f.INTEGER_KEYS or (
        key == "id" and parent in f.INTEGER_ID_PARENTS and version == f.V2022
    )
    if integer and _INTEGER.match(text):
        return int(text)
    if key in f.NUMBER_KEYS or (key == "tarif" and parent == "tarif") or integer:
        if _INTEGER.match(text):
            return int(text)
        if _NUMBER.match(text):
            return float(text)
        return text
    if key in f.BOOLEAN_KEYS:
        word = text.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return text
