"""Which schema a file most likely follows: each Table Schema of the shipped
SCDL snapshot scored by the columns the mapping finds for its fields (names
and content), with the reason as data (words.py puts it in words).

Pure: no CKAN; the schemas come in as descriptors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ckanext.opendata_territoire.scdl_convert.mapping import Proposal, propose


@dataclass
class Candidate:
    name: str
    title: str
    score: float
    matched: list[tuple[str, str]]
    required_found: int
    required: int
    content_checked: int
    proposal: Proposal

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "score": round(self.score, 2),
            "matched": [list(pair) for pair in self.matched],
            "required_found": self.required_found,
            "required": self.required,
            "content_checked": self.content_checked,
        }


def recognise(
    header: list[str],
    sample: list[list[str]],
    schemas: dict[str, tuple[str, dict[str, Any]]],
) -> list[Candidate]:
    """The schemas (``name -> (title, descriptor)``) ranked, most likely
    first. A schema's score: the share of the file's columns it finds a
    field for, weighted by how sure each is, and of its required fields the
    file fills."""
    found = []
    columns = max(1, len([label for label in header if label]))
    for name, (title, descriptor) in schemas.items():
        proposal = propose(header, sample, descriptor, name)
        reasons = proposal.reasons
        required = [
            spec["name"]
            for spec in descriptor.get("fields", [])
            if (spec.get("constraints") or {}).get("required")
        ]
        required_found = len([n for n in required if n in reasons])
        covered = sum(r["score"] for r in reasons.values()) / columns
        share_required = required_found / len(required) if required else 0.0
        found.append(
            Candidate(
                name=name,
                title=title,
                score=0.7 * covered + 0.3 * share_required,
                matched=[(r["column"], n) for n, r in reasons.items()],
                required_found=required_found,
                required=len(required),
                content_checked=len(
                    [r for r in reasons.values() if (r["fit"] or 0) >= 0.8]
                ),
                proposal=proposal,
            )
        )
    found.sort(key=lambda c: (-c.score, c.name))
    return found
