"""What the DECP readers (readers.py) and the pre-filter of large files
(prefilter.py) both make and read: a raw record as found in the file, the
counts of a read, the buyers to keep and the test that sets another buyer's
record aside, the kind of a 2019 record. A module of its own, so that
neither imports the other's internals back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ckanext.opendata_territoire.decp import formats as f


@dataclass
class RawRecord:
    """One contract as found in the file, before any cleaning: ``data`` is
    usually a dict, but a file may hold anything."""

    version: str
    kind: str
    data: Any
    position: int  # 1 for the file's first record


@dataclass
class ReadStats:
    """How many records a read went through, and how many it set aside as
    other buyers' without yielding them."""

    records: int = 0
    skipped: int = 0
    # Bytes read when the first and the last item of the last pass were
    # parsed (-1: no item): the concessions' key can only be outside.
    first_at: int = -1
    last_at: int = -1
    # Bare NaN, Infinity or -Infinity read as null (NonFiniteReader).
    non_finite: int = 0


# (SIRENs, SIRETs) of the buyers to keep.
Buyers = tuple[frozenset[str], frozenset[str]]


def other_buyer(kind: str, data: Any, buyers: Buyers) -> bool:
    """Whether a raw record's buyer is written as a clean 14-character SIRET
    that is not one of ``buyers``. Any other form (flat key, spaces, missing)
    is left to the cleaning rules."""
    if data.__class__ is not dict:
        return False
    key = f.BUYER_KEY[kind]
    buyer = data.get(key)
    value = buyer.get("id") if buyer.__class__ is dict else data.get(key + ".id")
    sirens, sirets = buyers
    return (
        value.__class__ is str
        and len(value) == 14
        and value[:9] not in sirens
        and value not in sirets
    )


def kind_2019(item: Any) -> str:
    """A 2019 record's kind: a concession when it names a granting
    authority (``autoriteConcedante``) or says so, else a marché."""
    if isinstance(item, dict) and (
        "autoriteConcedante" in item
        or "autoriteConcedante.id" in item
        or item.get("_type") == "Contrat de concession"
    ):
        return f.CONCESSION
    return f.MARCHE
