"""From a DECP file to the territory's contracts: read (streamed), keep the
chosen buyers, clean, deduplicate, and report what was done.

The buyer filter looks at the raw record first: a contract of another buyer
is dropped before any cleaning, so a national file goes by at the speed of
the parser. Only the kept contracts are cleaned, counted per rule and held
for deduplication (16 bytes each).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ckanext.opendata_territoire.decp import formats as f
from ckanext.opendata_territoire.decp import tabular
from ckanext.opendata_territoire.decp.cleaning import (
    Rejected,
    clean,
    compact_identifier,
)
from ckanext.opendata_territoire.decp.model import Contract, contract_from
from ckanext.opendata_territoire.decp.readers import (
    RawRecord,
    ReadStats,
    detect_format,
    read_records,
)

# At most this many rejections are listed one by one (all are counted).
REJECTIONS_LISTED = 1000


class BuyerError(ValueError):
    """An identifier that is neither a SIREN (9 digits) nor a SIRET (14)."""


@dataclass(frozen=True)
class BuyerFilter:
    """The buyers to keep: a SIREN keeps every SIRET of that body (its
    establishments), a SIRET keeps that establishment only."""

    sirens: frozenset[str] = frozenset()
    sirets: frozenset[str] = frozenset()

    @classmethod
    def of(cls, identifiers: Iterable[str]) -> BuyerFilter:
        sirens, sirets = set(), set()
        for identifier in identifiers:
            compact = re.sub(r"[\s.\-]", "", str(identifier))
            if len(compact) == 9 and compact.isdigit():
                sirens.add(compact)
            elif len(compact) == 14 and compact.isdigit():
                sirets.add(compact)
            else:
                raise BuyerError(identifier)
        return cls(frozenset(sirens), frozenset(sirets))

    def __bool__(self) -> bool:
        return bool(self.sirens or self.sirets)

    def matches(self, siret: str) -> bool:
        return siret in self.sirets or siret[:9] in self.sirens


@dataclass
class Rejection:
    position: int
    contract_id: str | None
    reason: str
    detail: str = ""
    buyer: str | None = None  # the buyer's identifier as written, when any

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "id": self.contract_id,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass
class Report:
    """What a run read, kept, mended, dropped and why."""

    file_format: str | None = None
    read: int = 0
    kept: int = 0
    outside: int = 0  # other buyers than the chosen ones
    before_since: int = 0  # notified before the ``since`` date
    duplicates: int = 0
    # Rule -> number of kept contracts it mended.
    cleaned: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    by_buyer: Counter[str] = field(default_factory=Counter)  # SIRET -> kept
    kinds: Counter[str] = field(default_factory=Counter)
    versions: Counter[str] = field(default_factory=Counter)
    error: str | None = None  # the file could not be read to its end
    # A harvest: bytes of the files fetched (by ranges for a Parquet file
    # read so), and their whole size.
    bytes_fetched: int = 0
    bytes_total: int = 0

    @property
    def rejected_count(self) -> int:
        return sum(self.rejected_by_reason.values())

    def reject(self, record: RawRecord, rejected: Rejected) -> None:
        self.rejected_by_reason[rejected.reason] += 1
        if len(self.rejected) < REJECTIONS_LISTED:
            self.rejected.append(
                Rejection(
                    record.position,
                    rejected.contract_id,
                    rejected.reason,
                    rejected.detail,
                    buyer=written_buyer_id(record),
                )
            )

    def merge(self, other: Report) -> None:
        """Adds the counts of another file's report (a harvest reads
        several)."""
        self.file_format = other.file_format or self.file_format
        self.read += other.read
        self.kept += other.kept
        self.outside += other.outside
        self.before_since += other.before_since
        self.duplicates += other.duplicates
        self.cleaned.update(other.cleaned)
        room = REJECTIONS_LISTED - len(self.rejected)
        self.rejected += other.rejected[: max(room, 0)]
        self.rejected_by_reason.update(other.rejected_by_reason)
        self.by_buyer.update(other.by_buyer)
        self.kinds.update(other.kinds)
        self.versions.update(other.versions)
        self.bytes_fetched += other.bytes_fetched
        self.bytes_total += other.bytes_total

    def keep(self, contract: Contract) -> None:
        self.kept += 1
        self.by_buyer[contract.buyer_siret] += 1
        self.kinds[contract.kind] += 1
        self.versions[contract.version] += 1
        for rule in {issue.rule for issue in contract.issues}:
            self.cleaned[rule] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.file_format,
            "read": self.read,
            "kept": self.kept,
            "outside_buyers": self.outside,
            "before_since": self.before_since,
            "duplicates": self.duplicates,
            "cleaned": dict(sorted(self.cleaned.items())),
            "rejected": self.rejected_count,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "rejections": [r.as_dict() for r in self.rejected],
            "contracts_by_buyer_siret": dict(sorted(self.by_buyer.items())),
            "kinds": dict(sorted(self.kinds.items())),
            "versions": dict(sorted(self.versions.items())),
            "error": self.error,
            "bytes_fetched": self.bytes_fetched,
            "bytes_total": self.bytes_total,
        }


def written_buyer_id(record: RawRecord) -> str | None:
    """The buyer's identifier of a raw record, compacted, whatever its
    form; None when there is none."""
    data = record.data
    if not isinstance(data, dict):
        return None
    key = f.BUYER_KEY[record.kind]
    buyer = data.get(key)
    value = buyer.get("id") if isinstance(buyer, dict) else data.get(key + ".id", buyer)
    if value is None or isinstance(value, dict | list | bool):
        return None
    return compact_identifier(value) or None


def read_contracts(
    fp: BinaryIO,
    buyers: BuyerFilter | None = None,
    report: Report | None = None,
    progress: Callable[[int], None] | None = None,
    since: dt.date | None = None,
    today: dt.date | None = None,
    seen: set[bytes] | None = None,
) -> Iterator[Contract]:
    """The cleaned, deduplicated contracts of a DECP file (a seekable binary
    file), of the chosen buyers only when ``buyers`` is given, notified on or
    after ``since`` when given. ``report`` is filled as the file is read.
    ``seen`` holds the keys of the contracts already kept (several files
    deduplicated together); it is filled as the file is read.

    Raises readers.DecpReadError when the file cannot be read to its end
    (the report's ``error`` says why)."""
    report = report if report is not None else Report()
    seen = seen if seen is not None else set()
    stats = ReadStats()
    wanted = (buyers.sirens, buyers.sirets) if buyers is not None else None
    try:
        report.file_format = tabular.detect(fp) or detect_format(fp)
        records: Iterator[RawRecord] = (
            tabular.read_records(fp, report.file_format, progress, wanted, stats)
            if tabular.is_tabular(report.file_format)
            else read_records(fp, report.file_format, progress, wanted, stats)
        )
        for record in records:
            try:
                cleaned = clean(record.version, record.kind, record.data, today)
            except Rejected as rejected:
                report.reject(record, rejected)
                continue
            contract = contract_from(cleaned)
            if isinstance(record, tabular.TabularRecord):
                tabular.enrich(contract, record.buyer_name, record.holders)
            if buyers is not None and not buyers.matches(contract.buyer_siret):
                report.outside += 1
                continue
            if (
                since is not None
                and contract.notification_date is not None
                and contract.notification_date < since
            ):
                report.before_since += 1
                continue
            key = contract.dedup_key()
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            report.keep(contract)
            yield contract
    except Exception as error:
        report.error = str(error)
        raise
    finally:
        report.read += stats.records
        report.outside += stats.skipped
        if stats.non_finite:
            report.cleaned["non_finite_number"] += stats.non_finite


def latest_versions(contracts: Iterable[Contract]) -> tuple[list[Contract], int]:
    """One contract per uid: when a uid comes back with other content (a
    later publication, other titulaires), the most recently published version
    wins. Returns the contracts, in their first order, and how many versions
    were set aside."""
    chosen: dict[str, Contract] = {}
    superseded = 0
    for contract in contracts:
        current = chosen.get(contract.uid)
        if current is None:
            chosen[contract.uid] = contract
            continue
        superseded += 1
        if _freshness(contract) >= _freshness(current):
            chosen[contract.uid] = contract
    return list(chosen.values()), superseded


def _freshness(contract: Contract) -> tuple[Any, ...]:
    return (
        contract.last_modified or dt.date.min,
        contract.publication_date or dt.date.min,
        len(contract.modifications),
    )


def group_by_siren(contracts: Iterable[Contract]) -> dict[str, list[Contract]]:
    """The contracts of each buyer (by SIREN: one body, all its SIRETs)."""
    groups: dict[str, list[Contract]] = {}
    for contract in contracts:
        groups.setdefault(contract.buyer_siren, []).append(contract)
    return groups
