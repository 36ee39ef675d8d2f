"""The values of a file turned into the ones a Table Schema wants, each
change counted by kind, each value that cannot be converted reported with
its row, column, value and the reason (a code; words.py says it in the
reader's language).

Pure: no CKAN. The kinds of change:

- ``trimmed``: spaces around a value, or doubled inside it, removed;
- ``date``: 03/12/2025, 3 décembre 2025 or 2025/12/03 written 2025-12-03;
- ``number``: a decimal comma, thousand separators (spaces, non-breaking or
  narrow spaces, dots), units (€, %) removed;
- ``boolean``: oui/non, vrai/faux, x... written as the schema's values;
- ``identifier``: a SIRET, SIREN or RNA number without its spaces or dots,
  an INSEE code given back its leading zero;
- ``enum``: a value matched to the schema's allowed one (case, accents,
  near spellings);
- ``organization``: a cell filled from the organization (the commune's name,
  SIRET...); ``fixed``: a cell filled with a value given for every row;
- ``empty_row``: an empty row left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

KINDS = (
    "trimmed",
    "date",
    "number",
    "boolean",
    "identifier",
    "enum",
    "organization",
    "fixed",
    "empty_row",
)
# Examples of each kind of change kept for the report, problems listed.
EXAMPLES = 3
MAX_PROBLEMS = 200
PREVIEW_ROWS = 20
# Rows between two calls of the progress callback.
PROGRESS_EVERY = 1000

SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
# A value with nothing to trim has none of these (the common case, skipped).
SPACES_TO_TRIM = re.compile(r"^\s|\s$|\s\s|[^\S ]")
MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
YEAR_FIRST = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")
ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")
LONG_DATE = re.compile(r"^(?:\w+\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\s+(\d{4})$")
DATE_TOKEN = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}")
TRUE_WORDS = frozenset({"oui", "o", "vrai", "true", "yes", "y", "1", "x"})
FALSE_WORDS = frozenset({"non", "n", "faux", "false", "no", "0"})
IDENTIFIER_PATTERNS = (r"^\d{14}$", r"^\d{9}$", r"^W\d{9}$")
INSEE_PATTERN = "^([013-9]\\d|2[AB1-9])\\d{3}$"


def plain(text: str) -> str:
    """Lower case, without accents, spaces or punctuation doubled."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9;]+", bare))


class Unconvertible(Exception):
    """A value that cannot be converted; ``reason``: ``date``, ``number``,
    ``integer``, ``boolean``, ``enum``, ``identifier``, ``year``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_date(text: str) -> dt.date | dt.datetime | None:
    """A date written the French way or the ISO way; None if it is not one."""
    value = text.strip()
    try:
        if match := ISO_DATETIME.match(value):
            y, m, d, hh, mm, ss = match.groups()
            return dt.datetime(int(y), int(m), int(d), int(hh), int(mm), int(ss or 0))
        if match := DAY_FIRST.match(value):
            d, m, y = (int(g) for g in match.groups())
            if y < 100:
                y += 2000 if y < 70 else 1900
            return dt.date(y, m, d)
        if match := YEAR_FIRST.match(value):
            y, m, d = (int(g) for g in match.groups())
            return dt.date(y, m, d)
        if match := LONG_DATE.match(plain(value)):
            d_text, month, y_text = match.groups()
            if month in MONTHS:
                return dt.date(int(y_text), MONTHS[month], int(d_text))
    except ValueError:
        return None
    return None


def parse_number(text: str) -> Decimal:
    """A number written with a decimal comma, thousand separators or a unit."""
    value = SPACES.sub("", text).replace("€", "").replace("%", "")
    value = value.replace("EUR", "").replace("eur", "")
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    elif value.count(".") > 1:
        value = value.replace(".", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Unconvertible("number") from None
    if not number.is_finite():
        raise Unconvertible("number")
    return number


def number_text(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


@dataclass
class FieldConverter:
    """How the values of one field of the schema are converted."""

    descriptor: dict[str, Any]
    convert: Callable[[str], tuple[str, str | None]] = field(init=False)

    def __post_init__(self) -> None:
        self.convert = _converter(self.descriptor)


def _date_converter(kind: str) -> Callable[[str], tuple[str, str | None]]:
    def convert(value: str) -> tuple[str, str | None]:
        parsed = parse_date(value)
        if parsed is None:
            raise Unconvertible("date")
        if kind == "datetime":
            moment = (
                parsed
                if isinstance(parsed, dt.datetime)
                else dt.datetime.combine(parsed, dt.time())
            )
            text = moment.isoformat()
        else:
            day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
            text = day.isoformat()
        return text, ("date" if text != value else None)

    return convert


def _number_converter(
    integer: bool, share: bool
) -> Callable[[str], tuple[str, str | None]]:
    def convert(value: str) -> tuple[str, str | None]:
        number = parse_number(value)
        if share and "%" in value:
            number = number / 100
        if integer and number != number.to_integral_value():
            raise Unconvertible("integer")
        text = number_text(number)
        return text, ("number" if text != value else None)

    return convert


def _boolean_converter(spec: dict[str, Any]) -> Callable[[str], tuple[str, str | None]]:
    true_value = (spec.get("trueValues") or ["true"])[0]
    false_value = (spec.get("falseValues") or ["false"])[0]

    def convert(value: str) -> tuple[str, str | None]:
        word = plain(value)
        if word in TRUE_WORDS or value in spec.get("trueValues", ()):
            text = true_value
        elif word in FALSE_WORDS or value in spec.get("falseValues", ()):
            text = false_value
        else:
            raise Unconvertible("boolean")
        return text, ("boolean" if text != value else None)

    return convert


def _enum_converter(allowed: list[str]) -> Callable[[str], tuple[str, str | None]]:
    by_plain = {plain(v): v for v in allowed}

    def convert(value: str) -> tuple[str, str | None]:
        if value in allowed:
            return value, None
        key = plain(value)
        if key in by_plain:
            return by_plain[key], "enum"
        near = difflib.get_close_matches(key, list(by_plain), n=1, cutoff=0.8)
        if near:
            return by_plain[near[0]], "enum"
        raise Unconvertible("enum")

    return convert


def _identifier_converter(pattern: str) -> Callable[[str], tuple[str, str | None]]:
    compiled = re.compile(pattern)

    def convert(value: str) -> tuple[str, str | None]:
        if compiled.match(value):
            return value, None
        text = re.sub(r"[\s\u00a0\u202f.\-]", "", value).upper()
        if pattern == INSEE_PATTERN and text.isdigit() and len(text) == 4:
            text = "0" + text
        if not compiled.match(text):
            raise Unconvertible("identifier")
        return text, "identifier"

    return convert


def _date_range_converter(value: str) -> tuple[str, str | None]:
    """A period written with French dates ("14/03/2017 au 14/03/2018")."""
    tokens = DATE_TOKEN.findall(value)
    rest = DATE_TOKEN.sub("", value)
    if not 1 <= len(tokens) <= 2 or plain(rest) not in ("", "au", "a", "du au"):
        return value, None
    days = [parse_date(t) for t in tokens]
    if any(d is None for d in days):
        raise Unconvertible("date")
    text = "/".join(d.isoformat() for d in days if d is not None)
    return text, ("date" if text != value else None)


def _pattern_converter(pattern: str) -> Callable[[str], tuple[str, str | None]]:
    """A code written with a comma where the schema wants a dot (8,4)."""
    compiled = re.compile(pattern)

    def convert(value: str) -> tuple[str, str | None]:
        if compiled.match(value):
            return value, None
        text = value.replace(",", ".")
        if "-" in pattern and "[0-9]{4}" in pattern:
            text, kind = _date_range_converter(value)
            return text, kind
        return (text, "number") if compiled.match(text) else (value, None)

    return convert


def _converter(spec: dict[str, Any]) -> Callable[[str], tuple[str, str | None]]:
    kind = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    if kind in ("date", "datetime"):
        return _date_converter(kind)
    if kind in ("number", "integer"):
        maximum = constraints.get("maximum")
        return _number_converter(kind == "integer", maximum == 1)
    if kind == "boolean":
        return _boolean_converter(spec)
    if kind == "year":

        def year(value: str) -> tuple[str, str | None]:
            parsed = parse_date(value)
            if parsed is not None:
                return str(parsed.year), "date"
            if not re.fullmatch(r"\d{4}", value):
                raise Unconvertible("year")
            return value, None

        return year
    if constraints.get("enum"):
        return _enum_converter([str(v) for v in constraints["enum"]])
    pattern = constraints.get("pattern")
    if pattern in IDENTIFIER_PATTERNS or pattern == INSEE_PATTERN:
        return _identifier_converter(pattern)
    if pattern:
        return _pattern_converter(pattern)
    about = plain(" ".join(str(spec.get(k) or "") for k in ("name", "title")))
    about += " " + plain(str(spec.get("description") or ""))[:200]
    if "siret" in about or "siren" in about:
        return _compact_identifier
    return lambda value: (value, None)


def _compact_identifier(value: str) -> tuple[str, str | None]:
    """A SIRET or SIREN in a field that may also hold other identifiers:
    written without its spaces when it is one."""
    text = re.sub(r"[\s\u00a0\u202f.]", "", value)
    if text != value and text.isdigit() and len(text) in (9, 14):
        return text, "identifier"
    return value, None


def trim(value: str) -> str:
    if not SPACES_TO_TRIM.search(value):
        return value
    return SPACES.sub(" ", value).strip()


@dataclass
class Mapping:
    """Which column of the file fills each field of the schema (``columns``:
    field -> column label), and the fields filled with one value for every
    row (``values``: field -> value; ``organization``: those of them that
    came from the organization)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    organization: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "values": dict(self.values),
            "organization": sorted(self.organization),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Mapping:
        data = data or {}
        return cls(
            columns={
                str(k): str(v) for k, v in (data.get("columns") or {}).items() if v
            },
            values={
                str(k): str(v)
                for k, v in (data.get("values") or {}).items()
                if v not in (None, "")
            },
            organization=set(data.get("organization") or ()),
        )


@dataclass
class Report:
    fields: list[str]
    rows: int = 0
    changes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    problem_count: int = 0
    preview: list[list[str]] = field(default_factory=list)

    def change(self, kind: str, column: str, before: str, after: str) -> None:
        self.changes[kind] += 1
        shown = self.examples.setdefault(kind, [])
        if len(shown) < EXAMPLES:
            shown.append({"column": column, "before": before, "after": after})

    def problem(self, row: int, column: str, field_name: str, value: str, reason: str):
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                {
                    "row": row,
                    "column": column,
                    "field": field_name,
                    "value": value[:200],
                    "reason": reason,
                }
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "fields": self.fields,
            "rows": self.rows,
            "changes": self.changes,
            "change_count": sum(self.changes.values()),
            "examples": self.examples,
            "problems": self.problems,
            "problem_count": self.problem_count,
            "problems_truncated": self.problem_count > len(self.problems),
            "preview": self.preview,
        }


def convert(
    header: list[str],
    rows: Iterable[list[str]],
    descriptor: dict[str, Any],
    mapping: Mapping,
    out: TextIO,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Write the rows in the schema's shape to ``out`` (CSV, comma, the
    schema's field names as header); ``rows``: the file's rows after its
    header (line 2 onwards)."""
    specs = descriptor.get("fields", [])
    names = [spec["name"] for spec in specs]
    report = Report(fields=names)
    position = {label: i for i, label in reversed(list(enumerate(header)))}
    plan = []
    for spec in specs:
        name = spec["name"]
        column = mapping.columns.get(name)
        index = position.get(column) if column is not None else None
        plan.append((name, column, index, FieldConverter(spec).convert))
    fixed = {}
    for name, _column, index, converter in plan:
        if index is None and name in mapping.values:
            try:
                fixed[name] = converter(trim(mapping.values[name]))[0]
            except Unconvertible:
                fixed[name] = trim(mapping.values[name])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for line, row in enumerate(rows, start=2):
        if not any(str(cell).strip() for cell in row):
            report.change("empty_row", "", "", "")
            continue
        converted = []
        for name, column, index, converter in plan:
            if index is None:
                value = fixed.get(name, "")
                if value:
                    filled = "organization" if name in mapping.organization else "fixed"
                    report.changes[filled] += 1
                converted.append(value)
                continue
            raw = row[index] if index < len(row) else ""
            value = trim(raw)
            if value != raw:
                report.change("trimmed", column or "", raw, value)
            if value:
                try:
                    text, kind = converter(value)
                except Unconvertible as error:
                    report.problem(line, column or "", name, value, error.reason)
                    text, kind = value, None
                if kind:
                    report.change(kind, column or "", value, text)
                value = text
            converted.append(value)
        writer.writerow(converted)
        report.rows += 1
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(converted)
        if progress and report.rows % PROGRESS_EVERY == 0:
            progress(report.rows)
    for kind, label in (("organization", "organization"), ("fixed", "fixed")):
        if report.changes[kind]:
            report.examples[kind] = [
                {"column": name, "before": "", "after": fixed[name]}
                for name in fixed
                if (name in mapping.organization) == (label == "organization")
            ][:EXAMPLES]
    return report


def fits(spec: dict[str, Any], values: Iterable[str]) -> float | None:
    """The share of the filled ``values`` that convert to the field's type;
    None for a field that takes any text."""
    kind = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    if (
        kind == "string"
        and not constraints.get("enum")
        and not constraints.get("pattern")
    ):
        return None
    converter = _converter(spec)
    filled = [trim(v) for v in values if v and v.strip()]
    if not filled:
        return None
    good = 0
    for value in filled:
        try:
            text, _ = converter(value)
        except Unconvertible:
            continue
        pattern = constraints.get("pattern")
        if pattern and not re.match(pattern, text):
            continue
        good += 1
    return good / len(filled)
