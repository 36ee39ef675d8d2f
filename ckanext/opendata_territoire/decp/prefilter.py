"""A pre-filter of large JSON DECP files for a few buyers: the bytes are
searched, and only the records that may be those buyers' are parsed.

Why: a national file is about a gigabyte and a territory keeps one record in
five hundred. ijson parses the whole file at 50 to 90 MB/s; C primitives
search bytes several times faster (a compiled regular expression with a
literal prefix, ``bytes.find``, the C library's ``memmem``). So the file is
read in chunks of :data:`CHUNK_SIZE` (never mapped whole: its pages would
all count in the process's memory) and each chunk is searched; Python only
sees:

- each buyer key (``"acheteur"``, ``"acheteur.id"``; ``"autoriteConcedante"``
  and its flat form in the concessions) that is *not* written as a clean
  SIRET of another buyer: a SIRET of the chosen buyers, spaces, dots, a
  number, a missing or empty id, a form the chunk does not commonly use. The
  clean keys of other buyers are counted (the records read), nothing more;
- each ``NaN`` and ``Infinity``: a bare one (Python's json.dump, pandas) is
  counted for the rule ``non_finite_number`` over the whole file, as the full
  parse does;
- each ``\\u`` escape of an ASCII letter or dot: a key could be written that
  way (``"ach\\u0065teur"`` is ``"acheteur"`` to a JSON reader);
- in the 2022 layout, the key of the concessions' list, which tells marchés
  from concessions.

Each of them leads to its enclosing record: a window of the file around it is
read (``os.pread``), the candidates ``{`` before it are tried with
``json.JSONDecoder.raw_decode`` until an object spans it, holds a buyer key
and follows a ``,`` or a ``[``; then :func:`records.other_buyer` decides, on
the parsed record, as in the full parse. Records are kept by their offsets
until the scan ends, then read again and yielded in file order (the 2022
marchés then concessions), numbered as the full parse numbers them (the
buyer keys before them): nothing is yielded before the whole file is
vouched for, so that any doubt can still fall back to the full parse.

**The full parse is used instead whenever in doubt**: the file does not
begin and end like a complete document of its layout (a truncated download
then gets the full parse's usual error), the concessions' list is before the
marchés' or its key is elsewhere, a hit is in no record within
:data:`MAX_WINDOW`, the text around a hit is not UTF-8, a record holds a
number yajl refuses (integer or float overflow) or nests deeper than Python's
json goes, or more than :data:`GUARD_SHARE` of the records would be parsed
(then the full parse is as fast).

**What the full parse sees and this does not**: only the records around a
hit are parsed. So invalid JSON elsewhere (in another buyer's record or
between records), brackets nested too deep there, a record with no buyer key
at all, or an item that is not an object (all of which the full parse
reports: an error that stops the file, or a rejection listed) pass unseen
here; a record with no buyer key is not counted as read, one of another
buyer with two clean keys (nested and flat) is counted twice. None of them
can be a contract of the chosen buyers (the cleaning rejects a record
without a buyer), so the contracts kept, their counts per buyer and the
rules that mended them are the same; only the report's list of rejections
and ``read`` may be shorter for such broken files. The records are told
apart by their layout, not proven by a parse of the whole file: an object
in a list inside a record (after a ``[`` or a ``,``) that holds a buyer key
of its own would be taken for a record (DECP has none; a file could hold a
contract of any buyer anyway).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import stat
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, BinaryIO

from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp.records import (
    Buyers,
    RawRecord,
    ReadStats,
    kind_2019,
    other_buyer,
)

# Smaller files are parsed in full: the pre-filter's fixed costs (head and
# tail checks, compiled patterns) are not worth it, and a local file of a few
# buyers is mostly theirs.
MIN_SIZE = 16 * 1024 * 1024
# Bytes searched at a time; the chunks overlap by OVERLAP (a key cut by a
# chunk's end is searched whole in the next) and keep PRE bytes before them
# (the patterns look behind their literal prefix).
CHUNK_SIZE = 4 * 1024 * 1024
OVERLAP = 4096
PRE = 64
# Bytes read on each side of a hit to find its record, widened four times
# at a time up to MAX_WINDOW (a generated record is 1 to 3 KB).
WINDOW = 8 * 1024
MAX_WINDOW = 32 * 1024 * 1024
# More records to parse than this share of those read (once past
# GUARD_MIN): the full parse, as fast then, is used instead.
GUARD_MIN = 5000
GUARD_SHARE = 0.25
HEAD_SIZE = 64 * 1024
HEAD_CHECK = 4096
TAIL_SIZE = 64 * 1024

_WS = rb"[ \t\n\r]*"  # JSON's white space (``\s`` also takes \f and \v)
_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_SIMPLE_MEMBER = rb'"[^"\\]*"' + _WS + rb":" + _WS + rb'"[^"\\]*"' + _WS + rb"," + _WS
_HEAD = {
    f.JSON_2019: re.compile(
        rb"\A(?:\xef\xbb\xbf)?"
        + _WS
        + rb"\{"
        + _WS
        + rb"(?:"
        + _SIMPLE_MEMBER
        + rb')*"marches"'
        + _WS
        + rb":"
        + _WS
        + rb"\["
    ),
    f.JSON_2022: re.compile(
        rb"\A(?:\xef\xbb\xbf)?"
        + _WS
        + rb"\{"
        + _WS
        + rb"(?:"
        + _SIMPLE_MEMBER
        + rb')*"marches"'
        + _WS
        + rb":"
        + _WS
        + rb"\{"
        + _WS
        + rb"(?:"
        + _SIMPLE_MEMBER
        + rb')*"(marche|contrat-concession)"'
        + _WS
        + rb":"
        + _WS
        + rb"\["
    ),
}
# The end of the last list; in 2022, perhaps an empty concessions' list.
_TAIL = {
    f.JSON_2019: re.compile(rb"\]" + _WS + rb"\}" + _WS + rb"\Z"),
    f.JSON_2022: re.compile(
        rb"\]"
        + _WS
        + rb"(?:,"
        + _WS
        + rb'"contrat-concession"'
        + _WS
        + rb":"
        + _WS
        + rb"\["
        + _WS
        + rb"\]"
        + _WS
        + rb")?\}"
        + _WS
        + rb"\}"
        + _WS
        + rb"\Z"
    ),
}
# An escaped ASCII letter or dot (``\u0061``, ``\u002E``): no writer escapes
# them, but a key so written is a buyer key to a JSON reader.
_ESCAPED_LETTER = re.compile(rb"\\u00(?:2[eE]|[4-7][0-9a-fA-F])")
# A bare NaN (found with ``re``, the fastest here for three bytes) or
# Infinity (with memmem, see _find).
_NAN = re.compile(rb"NaN")
_INFINITY_WORD = b"Infinity"
_CONCESSIONS_KEY = b'"contrat-concession"'
# Deleted from a text, these leave the bytes that continue a UTF-8 character.
_ALL_BUT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b < 0xC0)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64 = (-(2**63), 2**63 - 1)
RECORD_KEYS = frozenset(
    {"acheteur", "acheteur.id", "autoriteConcedante", "autoriteConcedante.id"}
)


class Doubt(Exception):
    """The pre-filter cannot vouch for the file: it is read in full."""


class _Overflow(ValueError):
    """A number yajl refuses (the full parse then stops on it)."""


class Found:
    """The records a scan kept: offsets and numbers, read again (a few KB
    each) when yielded, so that memory does not grow with them."""

    def __init__(self, fd: int, version: str, keys: int, non_finite: int) -> None:
        self.fd = fd
        self.version = version
        self.keys = keys  # buyer keys seen: the records read
        self.non_finite = non_finite
        self.parsed = 0  # records parsed to be told apart
        # start, length, position, kind (0 marché, 1 concession) per record.
        self.entries = array("q")

    def add(self, start: int, end: int, position: int, kind: str) -> None:
        self.entries.extend((start, end - start, position, _KIND_CODES[kind]))

    def __len__(self) -> int:
        return len(self.entries) // 4

    def records(self, stats: ReadStats) -> Iterator[RawRecord]:
        """The records, counted in ``stats`` as the full parse counts them
        (read, skipped as other buyers', bare non-finite numbers)."""
        records, skipped = stats.records, stats.skipped
        stats.non_finite += self.non_finite
        decoder = _decoder(lambda _name: None)
        entries, yielded = self.entries, 0
        for at in range(0, len(entries), 4):
            start, length, position, code = entries[at : at + 4]
            text = _pread(self.fd, start, length).decode("utf-8")
            value = _mirror_yajl(decoder.decode(text), text)
            yielded += 1
            stats.records = records + position
            stats.skipped = skipped + max(position - yielded, 0)
            yield RawRecord(self.version, _KINDS[code], value, records + position)
        stats.records = records + self.keys
        stats.skipped = skipped + max(self.keys - yielded, 0)


_KINDS = (f.MARCHE, f.CONCESSION)
_KIND_CODES = {f.MARCHE: 0, f.CONCESSION: 1}


def scan(
    fp: BinaryIO,
    file_format: str,
    buyers: Buyers,
    progress: Callable[[int], None] | None = None,
    min_size: int | None = None,
    chunk_size: int | None = None,
) -> Found | None:
    """The records of ``buyers`` (and every record :func:`other_buyer` does
    not set aside) of a JSON DECP file, found by searching its bytes; None
    when the file is to be parsed in full: not a regular file, smaller than
    ``min_size`` (default :data:`MIN_SIZE`), or any doubt (see the module's
    docstring). ``fp`` is left where it was."""
    if file_format not in _HEAD or not hasattr(os, "pread"):
        return None
    try:
        fd = fp.fileno()
        info = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None  # BytesIO and the like (io.UnsupportedOperation is both)
    start = fp.tell()
    limit = MIN_SIZE if min_size is None else min_size
    if not stat.S_ISREG(info.st_mode) or info.st_size - start < max(limit, 1):
        return None
    # The descriptor must hold the bytes ``fp`` gives: a GzipFile's is the
    # compressed file's.
    head = fp.read(HEAD_CHECK)
    fp.seek(start)
    if _pread(fd, start, len(head)) != head:
        return None
    try:
        return _Scan(
            fd, start, info.st_size, file_format, buyers, progress, chunk_size
        ).run()
    except Doubt:
        return None


# Patterns of the buyer keys


class _Key:
    """One buyer key (``acheteur``, ``autoriteConcedante``): the patterns
    that find it and tell a clean SIRET of another buyer.

    A key is its name in quotes, not after a backslash (``\\"acheteur"``
    ends a string) and followed by a colon (``"acheteur"`` alone is a
    value); the same definition counts the records read and numbers them."""

    def __init__(self, name: str, prefix: bytes, wanted: bytes | None) -> None:
        self.quoted = b'"' + name.encode()
        # The search starts from a literal whose first byte is rarer than a
        # quote (CPython's regular expressions stop at each occurrence of
        # it); the key starts ``shift`` bytes before.
        self.prefix = prefix
        self.shift = len(self.quoted) - len(prefix)
        self.not_wanted = b"" if wanted is None else b"(?!" + wanted + b")"
        name_re = re.escape(self.quoted)
        self.behind = b"(?<=" + name_re + b")(?<!" + rb"\\" + name_re + b")"
        self.is_key = _WS + rb"(?::|\Z)"
        nested = _WS + rb":" + _WS + rb"\{" + _WS + rb'"id"' + _WS + rb":" + _WS + b'"'
        flat = _WS + rb":" + _WS + b'"'
        # The written forms of a clean SIRET, nested (2019's "nom" too) or
        # flat, its 14 digits captured.
        self.clean = re.compile(
            name_re
            + rb'(?:"'
            + nested
            + rb'(\d{14})"'
            + _CLOSE
            + rb'|\.id"'
            + flat
            + rb'(\d{14})")'
        )
        # The separators of the clean keys, learnt from a chunk.
        self.learn = re.compile(
            name_re + rb'(?:("' + nested + rb')|(\.id"' + flat + rb"))\d{14}\""
        )
        self.counted = re.compile(
            rb"(?<!\\)" + name_re + rb'(?:\.id)?"(?=' + self.is_key + b")"
        )
        self._every: dict[bytes | None, re.Pattern[bytes]] = {}

    def every(self, tail: bytes | None) -> re.Pattern[bytes]:
        """A pattern that matches every key: without a group when the key is
        written ``"<name>`` + ``tail`` + a clean SIRET of another buyer, the
        common case, which costs no Python work but a count; with group 1
        otherwise (then :meth:`is_other` looks closer)."""
        pattern = self._every.get(tail)
        if pattern is None:
            clean = b""
            if tail is not None:
                close = _CLOSE if tail.startswith(b'"') else b""
                clean = re.escape(tail) + self.not_wanted + rb'\d{14}"' + close + b"|"
            pattern = re.compile(
                re.escape(self.prefix)
                + self.behind
                + b"(?:"
                + clean
                + rb'("|\.id")(?='
                + self.is_key
                + b"))"
            )
            self._every[tail] = pattern
        return pattern

    def tail(self, data: bytes, start: int) -> bytes | None:
        """The separators (from the key's closing quote to the SIRET's
        opening one) of most of the first clean keys after ``start``."""
        seen = Counter(
            match.group(1) or match.group(2)
            for match in islice(self.learn.finditer(data, start), 64)
        )
        return seen.most_common(1)[0][0] if seen else None

    def is_other(self, data: bytes, start: int, buyers: Buyers) -> bool:
        """Whether the key at ``start`` is written as a clean SIRET of
        another buyer (then its record is not parsed)."""
        match = self.clean.match(data, start)
        if match is None:
            return False
        siret = (match.group(1) or match.group(2)).decode()
        sirens, sirets = buyers
        return siret[:9] not in sirens and siret not in sirets


_CLOSE = (
    rb"(?:"
    + _WS
    + rb"\}|"
    + _WS
    + rb","
    + _WS
    + rb'"nom"'
    + _WS
    + rb":"
    + _WS
    + _STRING
    + _WS
    + rb"\})"
)


def _alternation(words: Iterable[str]) -> bytes | None:
    """A pattern matching the start of any of ``words``, as a trie: a
    hundred SIRENs cost a few comparisons, not a hundred."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    if not trie:
        return None

    def emit(node: dict[str, Any]) -> str:
        if "" in node:
            return ""  # a shorter word already matches
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items())]
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie).encode()


def _decoder(constant: Callable[[str], Any]) -> json.JSONDecoder:
    """Python's json, reading as yajl does through NonFiniteReader: NaN and
    Infinity as ``constant`` says, numbers yajl refuses refused."""

    def integer(text: str) -> int:
        value = int(text)
        if not _INT64[0] <= value <= _INT64[1]:
            raise _Overflow(text)
        return value

    def number(text: str) -> float:
        value = float(text)
        if value in (_INFINITY, -_INFINITY):
            raise _Overflow(text)
        return value

    return json.JSONDecoder(
        parse_int=integer, parse_float=number, parse_constant=constant
    )


_INFINITY = float("inf")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _mirror_yajl(value: Any, text: str) -> Any:
    """yajl reads a lone surrogate escape (``\\ud800``) as ``?`` where
    Python's json keeps it: done as yajl does, when the text has such
    escapes (a pair, an emoji, is one character to both)."""
    if "\\u" not in text or not _SURROGATE_ESCAPE.search(text):
        return value
    return _without_lone_surrogates(value)


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("?", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            _without_lone_surrogates(key): _without_lone_surrogates(item)
            for key, item in value.items()
        }
    return value


def _pread(fd: int, start: int, length: int) -> bytes:
    parts = []
    while length > 0:
        data = os.pread(fd, length, start)
        if not data:
            break
        parts.append(data)
        start += len(data)
        length -= len(data)
    return b"".join(parts)


def _utf8_end(data: bytes) -> int:
    """The length of ``data`` without a character its end cuts."""
    last = len(data) - 1
    while last >= 0 and len(data) - last <= 4 and 0x80 <= data[last] < 0xC0:
        last -= 1
    if last < 0 or data[last] < 0x80:
        return len(data)
    lead = data[last]
    size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return len(data) if last + size <= len(data) else last


def _libc_memmem() -> Any:
    """The C library's memmem (glibc's is two to three times faster than
    ``bytes.find`` for the literals searched here: Infinity, the
    concessions' key), or None where the process has none (then
    ``bytes.find``). ``CDLL(None)``: the symbols the process already has,
    nothing loaded, no ``ldconfig`` run."""
    try:
        memmem = ctypes.CDLL(None).memmem
    except (OSError, AttributeError, TypeError):
        return None
    memmem.restype = ctypes.c_void_p
    memmem.argtypes = (
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_char_p,
        ctypes.c_size_t,
    )
    return memmem


_MEMMEM = _libc_memmem()


def _find(data: bytes, needle: bytes, start: int, end: int) -> int:
    """``data.find(needle, start, end)``, with memmem when there is one."""
    if _MEMMEM is None:
        return data.find(needle, start, end)
    end = min(end, len(data))
    if end - start < len(needle):
        return -1
    # ctypes passes the bytes object's own buffer, without a copy.
    base = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value or 0
    found = _MEMMEM(base + start, end - start, needle, len(needle))
    return -1 if found is None else found - base


def _find_all(data: bytes, needle: bytes, start: int, end: int) -> Iterator[int]:
    """The offsets of ``needle`` that start in ``[start, end)``."""
    end = min(end + len(needle) - 1, len(data))
    while (found := _find(data, needle, start, end)) >= 0:
        yield found
        start = found + 1


# The scan

# A list's key (``"contrat-concession": [``) where the previous list ends.
_AFTER_LIST = re.compile(rb"\]" + _WS + rb"," + _WS + rb"\Z")
_LIST_VALUE = re.compile(_WS + rb":" + _WS + rb"\[")
_KEY_END = re.compile(_WS + rb":")


class _Scan:
    """One pass over a file's chunks, then the records of the hits."""

    def __init__(
        self,
        fd: int,
        start: int,
        size: int,
        file_format: str,
        buyers: Buyers,
        progress: Callable[[int], None] | None,
        chunk_size: int | None,
    ) -> None:
        self.fd, self.start, self.size = fd, start, size
        self.format = file_format
        self.buyers = buyers
        self.progress = progress
        self.chunk = chunk_size or CHUNK_SIZE
        sirens, sirets = buyers
        wanted = _alternation([*sirens, *sirets])
        self.keys = {
            f.MARCHE: _Key(f.BUYER_KEY[f.MARCHE], b"heteur", wanted),
            f.CONCESSION: _Key(f.BUYER_KEY[f.CONCESSION], b"Concedante", wanted),
        }
        self.probe = 0  # bare NaN and Infinity in the value last parsed
        self.decoder = _decoder(self._constant)
        version = f.V2019 if file_format == f.JSON_2019 else f.V2022
        self.found = Found(fd, version, 0, 0)
        self.first = self.last = start  # the records lie between
        self.key_count = 0  # buyer keys before the chunk's end
        self.hits: list[tuple[int, int]] = []  # (offset, keys before)
        self.parsed = 0
        self.record_end = -1  # the end of the last record parsed
        # Records parsed minus the keys counted in them (see _hit).
        self.miscounted = 0
        # 2022: the concessions' list key (None: not met) and the first
        # list's kind.
        self.boundary: int | None = None
        self.first_kind = f.MARCHE

    def _constant(self, _name: str) -> None:
        self.probe += 1

    def run(self) -> Found:
        self.first = self._head()
        self.last = self._tail()
        self._last_record()
        at = self.first
        while at < self.last:
            end = min(at + self.chunk, self.last)
            base = max(self.start, at - PRE)
            data = _pread(self.fd, base, min(end + OVERLAP, self.last) - base)
            self._chunk(data, base, at, end)
            at = end
            if self.progress is not None:
                self.progress(at - self.start)
        if self.progress is not None:
            self.progress(self.size - self.start)
        self.found.keys = self.key_count + self.miscounted
        self.found.parsed = self.parsed
        return self.found

    # The file's frame

    def _head(self) -> int:
        """The offset just after the opening bracket of the first list."""
        head = _pread(self.fd, self.start, HEAD_SIZE)
        match = _HEAD[self.format].match(head)
        if match is None:
            raise Doubt("the file does not begin as its layout says")
        if self.format == f.JSON_2022 and match.group(1) == b"contrat-concession":
            self.first_kind = f.CONCESSION
            self.boundary = self.start + match.start(1) - 1
        return self.start + match.end()

    def _tail(self) -> int:
        """The offset of the closing bracket of the last list's records."""
        begin = max(self.first, self.size - TAIL_SIZE)
        tail = _pread(self.fd, begin, self.size - begin)
        match = _TAIL[self.format].search(tail)
        if match is None:
            raise Doubt("the file does not end as its layout says (truncated?)")
        if begin + match.start() <= self.first:
            raise Doubt("no record")
        return begin + match.start()

    def _last_record(self) -> None:
        """The last list ends with a whole record: a truncated file can end
        with brackets that close something inside one."""
        begin = max(self.first, self.last - TAIL_SIZE)
        before = _pread(self.fd, begin, self.last - begin).rstrip(b" \t\n\r")
        if not before.endswith(b"}"):
            raise Doubt("the last list does not end with a record")
        closing = begin + len(before) - 1
        _start, end, _value, _constants = self._record_around(closing)
        if end != closing + 1:
            raise Doubt("the last list does not end with a record")

    # A chunk

    def _chunk(self, data: bytes, base: int, at: int, end: int) -> None:
        """Searches the chunk ``[at, end)`` (``data`` holds it from ``base``,
        with bytes before and after it), then parses its hits' records."""
        if self.format == f.JSON_2019:
            self._region(data, base, at, end, f.MARCHE, concessions=True)
        else:
            self._boundary(data, base, at, end)
            split = end
            if self.boundary is not None:
                split = min(max(self.boundary, at), end)
            if self.first_kind == f.CONCESSION:
                split = at
            self._region(data, base, at, split, f.MARCHE)
            self._region(data, base, split, end, f.CONCESSION)
        hits, self.hits = self.hits, []
        for offset, keys_before in hits:
            self._hit(offset, keys_before)

    def _boundary(self, data: bytes, base: int, at: int, end: int) -> None:
        """Finds the concessions' list key of a 2022 file in the chunk: the
        records after it are concessions. Doubt when such a key is not
        where a list starts, or a marchés' list follows the concessions'."""
        if self.first_kind == f.MARCHE and (
            self.boundary is None or at <= self.boundary < end
        ):
            where = self._list_key(data, base, at, end, _CONCESSIONS_KEY)
            if where is not None:
                if self.boundary is not None and where != self.boundary:
                    raise Doubt("two concessions' lists")
                self.boundary = where
        if self.boundary is not None:
            after = max(at, self.boundary + 1)
            if after < end and self._list_key(data, base, after, end, b'"marche"'):
                raise Doubt("marchés after the concessions")

    @staticmethod
    def _list_key(data: bytes, base: int, at: int, end: int, name: bytes) -> int | None:
        """The offset of the key ``name`` that opens a list right after
        another list, in ``[at, end)``; the same word as a value is passed
        over, as a key elsewhere it is a doubt."""
        for found in _find_all(data, name, at - base, end - base):
            after = found + len(name)
            if _KEY_END.match(data, after) is None:
                continue  # the word as a value
            before = data[max(0, found - 256) : found]
            if _LIST_VALUE.match(data, after) is None or not _AFTER_LIST.search(before):
                raise Doubt(f"a key {name.decode()} elsewhere than between lists")
            return base + found
        return None

    def _region(
        self,
        data: bytes,
        base: int,
        at: int,
        end: int,
        kind: str,
        concessions: bool = False,
    ) -> None:
        """The buyer keys of ``kind`` that start in ``[at, end)`` are
        counted; those not written as a clean SIRET of another buyer, and
        the other hits (:meth:`_extras`), are kept with the number of keys
        before them. The loop runs once per record of the file: it does as
        little as it can."""
        if at >= end:
            return
        extras = self._extras(data, base, at, end, concessions)
        key = self.keys[kind]
        pattern = key.every(key.tail(data, at - base))
        shift, stop = key.shift, end - base + key.shift
        hits, buyers, count = self.hits, self.buyers, self.key_count
        extra, next_extra = 0, extras[0][0] + shift if extras else stop
        for match in pattern.finditer(data, at - base + shift):
            where = match.start()
            if where >= stop:
                break
            if where > next_extra:
                count, extra = self._flush(extras, extra, where - shift, base, count)
                next_extra = extras[extra][0] + shift if extra < len(extras) else stop
            if match.lastindex is not None and not key.is_other(
                data, where - shift, buyers
            ):
                hits.append((base + where - shift, count))
            count += 1
        self.key_count, _ = self._flush(extras, extra, end - base, base, count)

    def _flush(
        self,
        extras: list[tuple[int, int, bool]],
        index: int,
        until: int,
        base: int,
        count: int,
    ) -> tuple[int, int]:
        """The extras before ``until``: hits numbered, keys counted."""
        while index < len(extras) and extras[index][0] < until:
            offset, is_key, is_hit = extras[index]
            if is_hit:
                self.hits.append((base + offset, count))
            count += is_key
            index += 1
        return count, index

    def _extras(
        self, data: bytes, base: int, at: int, end: int, concessions: bool
    ) -> list[tuple[int, int, bool]]:
        """The hits that are not marchés' buyer keys, sorted: NaN and
        Infinity (perhaps bare), escaped letters (perhaps in a key), and in
        the 2019 layout the concessions' buyer keys (few; each is counted).
        Each is (offset in data, 1 if a key, whether a hit)."""
        extras: list[tuple[int, int, bool]] = []
        low, high = at - base, end - base
        patterns = [_NAN]
        if data.find(b"\\", low, high) >= 0:  # memchr: nearly free
            patterns.append(_ESCAPED_LETTER)
        for pattern in patterns:
            for match in pattern.finditer(data, low):
                if match.start() >= high:
                    break
                extras.append((match.start(), 0, True))
        for found in _find_all(data, _INFINITY_WORD, low, high):
            extras.append((found, 0, True))
        if concessions:
            # Found with memmem (faster than a pattern's pass while
            # concessions are few), each then checked to be a key.
            key = self.keys[f.CONCESSION]
            for where in _find_all(data, key.quoted, low, high):
                if key.counted.match(data, where):
                    extras.append(
                        (where, 1, not key.is_other(data, where, self.buyers))
                    )
        extras.sort()
        return extras

    # A hit's record

    def _hit(self, offset: int, keys_before: int) -> None:
        """Parses the record around ``offset`` (once), keeps it unless it is
        another buyer's."""
        if offset < self.record_end:
            return  # in the record parsed last
        start, end, value, constants = self._record_around(offset)
        self.record_end = end
        self.found.non_finite += constants
        self.parsed += 1
        if self.parsed > GUARD_MIN and self.parsed > GUARD_SHARE * self.key_count:
            raise Doubt("most records would be parsed")
        if self.format == f.JSON_2019:
            kind = kind_2019(value)
        elif self.first_kind == f.CONCESSION or (
            self.boundary is not None and start > self.boundary
        ):
            kind = f.CONCESSION
        else:
            kind = f.MARCHE
        # The scan counted the keys it saw: this record may hold none (a key
        # written with escapes) or two (nested and flat); it is one record.
        keys = self._keys_in(start, end)
        position = keys_before - sum(1 for at in keys if at < offset)
        position += self.miscounted + 1
        self.miscounted += 1 - len(keys)
        if not other_buyer(kind, value, self.buyers):
            self.found.add(start, end, position, kind)

    def _keys_in(self, start: int, end: int) -> list[int]:
        """The offsets of the buyer keys the scan counts in ``[start, end)``
        (those of the kinds counted there)."""
        data = _pread(self.fd, start, end - start)
        if self.format == f.JSON_2019:
            keys = list(self.keys.values())
        elif self.first_kind == f.CONCESSION or (
            self.boundary is not None and start > self.boundary
        ):
            keys = [self.keys[f.CONCESSION]]
        else:
            keys = [self.keys[f.MARCHE]]
        return sorted(
            start + match.start()
            for key in keys
            for match in key.counted.finditer(data)
        )

    def _record_around(self, hit: int) -> tuple[int, int, Any, int]:
        """(start, end, value, bare NaN and Infinity) of the record that
        holds the byte at ``hit``; the window read around it widens until
        the record is in it. Doubt when there is no such record."""
        back = forth = WINDOW
        while True:
            low = max(self.first, hit - back)
            high = min(self.last, hit + forth)
            data = _pread(self.fd, low, high - low)
            found = self._find_record(data, low, hit)
            if found is not None:
                return found
            if (low, high) == (self.first, self.last) or back >= MAX_WINDOW:
                raise Doubt("a hit in no record")
            back, forth = back * 4, forth * 4

    def _find_record(
        self, data: bytes, low: int, hit: int
    ) -> tuple[int, int, Any, int] | None:
        """The record around ``hit`` in ``data`` (read from ``low``): the
        candidate ``{`` before the hit are tried, nearest first, until an
        object spans the hit, holds a buyer key and follows a ``,`` or a
        ``[``. None when the window may cut the record (read wider)."""
        begin = 0
        while begin < min(len(data), 4) and 0x80 <= data[begin] < 0xC0:
            begin += 1
        try:
            text = data[begin : _utf8_end(data)].decode("utf-8")
        except UnicodeDecodeError as error:
            raise Doubt("not UTF-8") from error
        at = hit - low
        at -= begin + len(data[begin:at].translate(None, _ALL_BUT_CONTINUATION))
        failed = False
        brace = text.rfind("{", 0, at + 1)
        while brace >= 0:
            self.probe = 0
            try:
                value, stop = self.decoder.raw_decode(text, brace)
            except (_Overflow, RecursionError) as error:
                raise Doubt("a number or a depth yajl refuses") from error
            except ValueError:
                failed = True
                brace = text.rfind("{", 0, brace)
                continue
            if (
                value.__class__ is dict
                and not RECORD_KEYS.isdisjoint(value)
                and self._after_separator(text, brace, low + begin == self.first)
            ):
                if stop <= at:  # the previous record: the hit is in none
                    if failed:
                        return None
                    raise Doubt("a hit between records")
                start = low + begin + len(text[:brace].encode())
                return start, start + len(text[brace:stop].encode()), value, self.probe
            brace = text.rfind("{", 0, brace)
        return None

    @staticmethod
    def _after_separator(text: str, brace: int, list_start: bool) -> bool:
        """Whether a ``,`` or a ``[`` comes before ``brace`` (white space
        between); the window's start is the list's opening when it is."""
        index = brace - 1
        while index >= 0 and text[index] in " \t\n\r":
            index -= 1
        if index < 0:
            return list_start
        return text[index] in ",["
