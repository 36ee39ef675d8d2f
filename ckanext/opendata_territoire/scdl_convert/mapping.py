"""The column of the file proposed for each field of a schema: by name
(accents, case and short words ignored; the field's name, its title, the
names town halls use, in synonyms.yaml), checked against the content (a
date field wants dates...); the fields a commune always has filled from its
organization.

Pure: no CKAN."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ckanext.opendata_territoire.scdl_convert.convert import Mapping, fits, plain

DATA_FILE = Path(__file__).with_name("synonyms.yaml")
# Lowest score of a proposal.
THRESHOLD = 0.6
SHORT_WORDS = frozenset(
    {"de", "la", "le", "les", "du", "des", "d", "l", "en", "et", "a", "au", "aux"}
    | {"par", "pour", "sur", "un", "une", "n", "no", "eur", "euros", "e"}
)
# Words of the SCDL field names that say nothing of the field.
PREFIXES = frozenset({"menu", "bgt", "delib", "equip", "adr", "coll"})


@functools.cache
def data() -> dict[str, Any]:
    return dict(yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")))


def words(label: str) -> tuple[str, ...]:
    """The meaningful words of a label: "Date de la séance" and
    "dateSeance" both give ("date", "seance")."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).replace("_", " ")
    found = [w for w in plain(spaced).replace(";", " ").split() if w]
    kept = tuple(w for w in found if w not in SHORT_WORDS)
    return kept or tuple(found)


def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    shared = len(set(a) & set(b)) / len(set(a) | set(b))
    ratio = difflib.SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
    return max(shared, ratio * 0.9)


def synonyms(schema: str, name: str) -> list[str]:
    return [str(s) for s in data().get("synonyms", {}).get(schema, {}).get(name, [])]


def name_score(label: str, spec: dict[str, Any], schema: str) -> tuple[float, str]:
    """How much a column's label looks like a field: the score and why
    (``name``, ``synonym``, ``title``)."""
    mine = words(label)
    own = words(spec["name"])
    # COLL_NOM is no "Nom": the fields filled from the organization are
    # matched by their whole name only.
    bare = own
    if spec["name"] not in data().get("organization", {}):
        bare = tuple(w for w in own if w not in PREFIXES) or own
    best = (max(_similarity(mine, own), _similarity(mine, bare)), "name")
    for synonym in synonyms(schema, spec["name"]):
        score = _similarity(mine, words(synonym))
        if score > best[0]:
            best = (score, "synonym")
    if spec.get("title"):
        score = _similarity(mine, words(spec["title"])) * 0.9
        if score > best[0]:
            best = (score, "title")
    return best


@dataclass
class Proposal:
    mapping: Mapping
    # field -> {"column", "score", "why", "fit"}
    reasons: dict[str, dict[str, Any]] = field(default_factory=dict)

    def unmapped(self, descriptor: dict[str, Any]) -> list[dict[str, Any]]:
        """The fields left empty, with what the schema says of them."""
        return [
            field_facts(spec)
            for spec in descriptor.get("fields", [])
            if spec["name"] not in self.mapping.columns
            and spec["name"] not in self.mapping.values
        ]


def field_facts(spec: dict[str, Any]) -> dict[str, Any]:
    constraints = spec.get("constraints") or {}
    example = spec.get("example", spec.get("examples"))
    if isinstance(example, list):
        example = example[0] if example else None
    return {
        "name": spec["name"],
        "title": spec.get("title") or "",
        "description": spec.get("description") or "",
        "required": bool(constraints.get("required")),
        "type": spec.get("type", "string"),
        "example": str(example) if example not in (None, "") else "",
        "allowed": [str(v) for v in constraints.get("enum") or []],
    }


def organization_values(
    descriptor: dict[str, Any], organization: dict[str, Any]
) -> dict[str, str]:
    """The fields filled from the organization: field -> value."""
    sources = data().get("organization", {})
    values = {}
    for spec in descriptor.get("fields", []):
        source = sources.get(spec["name"])
        value = organization.get(source) if source else None
        if value:
            values[spec["name"]] = str(value)
    return values


def default_values(descriptor: dict[str, Any], today: dt.date) -> dict[str, str]:
    values = {}
    for spec in descriptor.get("fields", []):
        default = data().get("defaults", {}).get(spec["name"])
        if default == "today":
            values[spec["name"]] = (
                f"{today.isoformat()}T00:00:00"
                if spec.get("type") == "datetime"
                else today.isoformat()
            )
        elif default:
            values[spec["name"]] = str(default)
    return values


def propose(
    header: list[str],
    sample: list[list[str]],
    descriptor: dict[str, Any],
    schema: str,
    organization: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> Proposal:
    """The proposed mapping of a file's columns to the schema's fields."""
    columns = {label: i for i, label in reversed(list(enumerate(header))) if label}
    pairs = []
    for spec in descriptor.get("fields", []):
        for label, index in columns.items():
            score, why = name_score(label, spec, schema)
            if score < THRESHOLD - 0.2:
                continue
            fit = fits(spec, [row[index] for row in sample if index < len(row)])
            if fit is not None:
                if fit >= 0.8:
                    score = min(1.0, score + 0.1)
                elif fit < 0.5:
                    score -= 0.4
            if score >= THRESHOLD:
                pairs.append((score, spec["name"], label, why, fit))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    proposal = Proposal(mapping=Mapping())
    used: set[str] = set()
    for score, name, label, why, fit in pairs:
        if name in proposal.mapping.columns or label in used:
            continue
        proposal.mapping.columns[name] = label
        used.add(label)
        proposal.reasons[name] = {
            "column": label,
            "score": round(score, 2),
            "why": why,
            "fit": None if fit is None else round(fit, 2),
        }
    from_org = organization_values(descriptor, organization or {})
    for name, value in from_org.items():
        if name not in proposal.mapping.columns:
            proposal.mapping.values[name] = value
            proposal.mapping.organization.add(name)
    for name, value in default_values(descriptor, today or dt.date.today()).items():
        if name not in proposal.mapping.columns:
            proposal.mapping.values.setdefault(name, value)
    return proposal


def applies(mapping: Mapping, header: list[str]) -> bool:
    """Whether a remembered mapping fits a new file: every column it names is
    in the file."""
    return bool(mapping.columns) and set(mapping.columns.values()) <= set(header)
