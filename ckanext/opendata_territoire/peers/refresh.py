"""Refreshing the peers' figures from a national tabular file: `ckan
territoire peers refresh FILE_OR_URL`, and a background job queued after
each harvest that read the national tabular consolidation
(the DECP harvester tells it through interfaces.py's IProcurementListener;
plugin.py calls :func:`after_harvest`).

The figures are computed first, off the database (peers/compute.py); only
then is the table replaced, in one transaction: a file that cannot be read,
a download that fails or a computation that breaks leaves the previous
figures as they were, and readers see either the old figures or the new,
never a mix.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import pyarrow as pa
from ckan import model

from ckanext.opendata_territoire.observatory.model import now
from ckanext.opendata_territoire.peers import compute
from ckanext.opendata_territoire.peers.model import PeerFigure, PeerRefresh
from ckanext.opendata_territoire.territory import reference

log = logging.getLogger(__name__)

# The formats of the national tabular consolidation among a DECP source's
# files (the JSON and XML files are the buyers' own, not national tables).
TABULAR_FORMATS = frozenset({"parquet", "csv"})
JOB_TIMEOUT = 1800  # seconds: a national file's download and computation
DEFAULT_TIMEOUT = 60  # seconds without an answer, as the DECP harvester's


def _timeout() -> float:
    """The DECP downloads' wait for an answer (ckanext.territoire.decp.timeout,
    as the DECP harvester's)."""
    return float(tk.config.get("ckanext.territoire.decp.timeout") or DEFAULT_TIMEOUT)


class RefreshError(Exception):
    """The refresh could not be done; the previous figures are kept."""


@dataclass
class Refreshed:
    source: str
    rows_read: int
    contracts: int
    epcis: int
    rows: int
    seconds: float
    # Seconds by stage: download (a URL), read, compute, store.
    stages: dict[str, float] = field(default_factory=dict)


def _is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


@contextlib.contextmanager
def local_file(source: str, remote: Any = None) -> Iterator[str]:
    """The path of ``source``: itself when it is a file, else the URL
    downloaded whole through the harvester's HTTP session (its timeouts,
    retries, address checks and, for a file data.gouv.fr lists, checksum)
    into a temporary folder removed afterwards."""
    if not _is_url(source):
        if not os.path.isfile(source):
            raise RefreshError(tk._("{source}: no such file.").format(source=source))
        yield source
        return
    from ckanext.opendata_territoire.datagouv import client as datagouv

    session = datagouv.session(
        "ckanext-opendata-territoire (peers)", datagouv.retries()
    )
    file = remote or datagouv.direct_file(source)
    with tempfile.TemporaryDirectory(prefix="peers-") as folder:
        try:
            yield datagouv.download(session, file, folder, _timeout())
        except datagouv.SourceError as error:
            raise RefreshError(str(error)) from error


def epcis() -> list[reference.Epci]:
    """Every EPCI of France, from the local reference files."""
    try:
        return list(reference.all_epcis().values())
    except reference.TerritoryError as error:
        raise RefreshError(str(error)) from error


def _copy_rows(table: pa.Table) -> io.StringIO:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = table.column_names
    for row in table.to_pylist():
        writer.writerow([row[name] for name in names])
    out.seek(0)
    return out


def store(computed: compute.Computed, source: str, seconds: float) -> int:
    """Replaces the figures with ``computed``'s, in one transaction (COPY
    into the emptied table); returns the number of rows."""
    table = computed.table
    columns = ", ".join(table.column_names)
    session = model.Session
    try:
        session.query(PeerFigure).delete(synchronize_session=False)
        cursor = session.connection().connection.cursor()
        cursor.copy_expert(
            f"COPY {PeerFigure.__tablename__} ({columns}) FROM STDIN"
            # The division "" (all divisions) is an empty text, not NULL.
            " WITH (FORMAT csv, FORCE_NOT_NULL (cpv_division))",
            _copy_rows(table),
        )
        session.merge(
            PeerRefresh(
                id=1,
                refreshed=now(),
                source=source,
                rows_read=computed.rows_read,
                contracts=computed.contracts,
                epcis=computed.epcis,
                seconds=round(seconds, 2),
            )
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return table.num_rows


def refresh(
    source: str,
    progress: compute.Progress | None = None,
    remote: Any = None,
    label: str | None = None,
) -> Refreshed:
    """Reads the national file (a path or an http(s) URL), computes every
    EPCI's figures, and replaces the stored ones (``label``: the source's
    name stored, default ``source``). RefreshError (the previous
    figures kept) when the file cannot be had or read."""
    started = time.monotonic()
    found = epcis()
    with local_file(source, remote) as path:
        downloaded = time.monotonic() - started
        try:
            computed = compute.compute(path, found, progress)
        except compute.PeersReadError as error:
            raise RefreshError(
                tk._(
                    "{source}: not readable as the tabular consolidation: {error}"
                ).format(source=source, error=error)
            ) from error
    if progress is not None:
        progress("store", 0, computed.table.num_rows)
    stored_at = time.monotonic()
    rows = store(computed, label or source, stored_at - started)
    return Refreshed(
        source=label or source,
        rows_read=computed.rows_read,
        contracts=computed.contracts,
        epcis=computed.epcis,
        rows=rows,
        seconds=time.monotonic() - started,
        stages={
            "download": round(downloaded, 2),
            **{name: round(value, 2) for name, value in computed.seconds.items()},
            "store": round(time.monotonic() - stored_at, 2),
        },
    )


# After a harvest


def after_harvest(files: list[Any]) -> None:
    """Queues a refresh for each national tabular file a harvest has just
    read (``ckanext.territoire.peers.refresh_after_harvest``). Never raises:
    the harvest's own work is done; a queue out of reach is logged, and the
    figures stay as they were until the next harvest or command."""
    if not tk.asbool(tk.config.get("ckanext.territoire.peers.refresh_after_harvest")):
        return
    for file in files:
        if getattr(file, "format", None) not in TABULAR_FORMATS:
            continue
        try:
            tk.enqueue_job(
                refresh_job,
                [dataclasses.asdict(file)],
                title=f"territoire: peers refresh from {file.url}",
                rq_kwargs={"timeout": JOB_TIMEOUT},
            )
        except Exception:
            log.exception("Could not queue the peers' refresh from %s", file.url)


def refresh_job(file: dict[str, Any]) -> dict[str, Any]:
    """The background job: downloads the file (checksum checked when
    data.gouv.fr gives one) and refreshes the figures."""
    from ckanext.opendata_territoire.datagouv.client import RemoteFile

    remote = RemoteFile(**file)
    try:
        done = refresh(remote.url, remote=remote)
    except RefreshError as error:
        log.error("Peers' refresh from %s failed, figures kept: %s", remote.url, error)
        raise
    log.info(
        "Peers' refresh from %s: %d contracts of %d EPCIs, %.1f s",
        remote.url,
        done.contracts,
        done.epcis,
        done.seconds,
    )
    return dataclasses.asdict(done)
