"""The whole pipeline from a local DECP file to the buyers' datasets, as
`ckan territoire decp import` runs it: choose the buyers, read the file (the
territory filter, cleaning, deduplication), group by buyer, publish."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ckanext.opendata_territoire.decp.pipeline import (
    BuyerError,
    BuyerFilter,
    Report,
    group_by_siren,
    read_contracts,
)
from ckanext.opendata_territoire.decp.publish import (
    BuyerResult,
    PublishError,
    publish,
)
from ckanext.opendata_territoire.decp.readers import DecpReadError
from ckanext.opendata_territoire.i18n_markers import N_
from ckanext.opendata_territoire.language import portal_text
from ckanext.opendata_territoire.territory.buyers import territory_buyers
from ckanext.opendata_territoire.territory.organizations import organizations_by_siren


@dataclass
class ImportRun:
    source: str
    dry_run: bool
    report: Report = field(default_factory=Report)
    results: list[BuyerResult] = field(default_factory=list)
    seconds_read: float = 0.0  # reading, filtering, cleaning the file
    seconds_publish: float = 0.0  # writing in the catalogue

    @property
    def failed(self) -> bool:
        return self.report.error is not None or any(r.error for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            **self.report.as_dict(),
            "buyers": [r.as_dict() for r in self.results],
            "seconds_read": round(self.seconds_read, 3),
            "seconds_publish": round(self.seconds_publish, 3),
        }


def selected_buyers(
    identifiers: Iterable[str] = (),
) -> tuple[BuyerFilter, dict[str, dict[str, Any]]]:
    """The buyer filter and the organizations, by SIREN, of the buyers given
    (SIRENs or SIRETs), or else of every organization with a SIREN."""
    identifiers = list(identifiers)
    if identifiers:
        try:
            buyers = BuyerFilter.of(identifiers)
        except BuyerError as error:
            raise PublishError(
                portal_text(
                    N_(
                        '"{value}" is neither a SIREN (9 digits) nor a SIRET '
                        "(14 digits)."
                    )
                ).format(value=error.args[0])
            ) from error
        sirens = set(buyers.sirens) | {siret[:9] for siret in buyers.sirets}
        return buyers, organizations_by_siren(sirens)
    organizations = territory_buyers()
    if not organizations:
        raise PublishError(
            portal_text(
                N_(
                    "No organization of the catalogue has a SIREN: create the "
                    "territory's organizations first (ckan territoire init)."
                )
            )
        )
    return BuyerFilter.of(organizations), organizations


def import_file(
    path: str,
    buyer_ids: Iterable[str] = (),
    since: dt.date | None = None,
    dry_run: bool = False,
    user: str | None = None,
    read_progress: Callable[[int], None] | None = None,
    buyer_progress: Callable[[BuyerResult], None] | None = None,
) -> ImportRun:
    """Reads the whole file first: a file that cannot be read to its end
    publishes nothing (the report's ``error`` says why)."""
    buyers, organizations = selected_buyers(buyer_ids)
    name = os.path.basename(path)
    run = ImportRun(
        source=portal_text(N_("DECP file {name}, imported on {date}")).format(
            name=name, date=dt.date.today().isoformat()
        ),
        dry_run=dry_run,
    )
    started = time.perf_counter()
    try:
        with open(path, "rb") as fp:
            contracts = list(
                read_contracts(
                    fp, buyers, run.report, progress=read_progress, since=since
                )
            )
    except DecpReadError as error:
        run.report.error = error.translated(portal_text)
        return run
    finally:
        run.seconds_read = time.perf_counter() - started
    started = time.perf_counter()
    run.results = publish(
        group_by_siren(contracts),
        organizations,
        run.source,
        dry_run=dry_run,
        user=user,
        progress=buyer_progress,
    )
    run.seconds_publish = time.perf_counter() - started
    return run
