"""A dataset's search document replaced in place, and never put back once
the dataset is gone.

Not CKAN's ``search.rebuild(id)``, which deletes the document first and adds
it again: for a moment the dataset vanishes from the search and from its
organization's page (a harvest counted 26 datasets instead of 27), and for
good if the process dies in between. And a job that read a dataset just
before a harvest source was cleared must not add it back to the index after
the clear removed it (package_search listed a dataset that package_show
answered "not found")."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import search

log = logging.getLogger(__name__)
T = TypeVar("T")
WAIT = 2.0  # seconds between two tries while the index refuses


def _index() -> search.index.PackageSearchIndex:
    return search.index_for(model.Package)


def still_there(dataset_id: str) -> bool:
    """The dataset exists and is not deleted, as committed now: read on a
    connection of its own, outside the caller's transaction."""
    with model.meta.engine.connect() as connection:
        state = connection.execute(
            sa.text("SELECT state FROM package WHERE id = :id OR name = :id"),
            {"id": dataset_id},
        ).scalar()
    return state is not None and state != "deleted"


def _read(dataset_id: str) -> dict:
    return tk.get_action("package_show")(
        {"ignore_auth": True, "validate": False, "use_cache": False},
        {"id": dataset_id},
    )


def patience() -> float:
    """How long a write the search index refuses is tried again
    (``ckanext.territoire.index_retry_seconds``)."""
    return float(tk.config.get("ckanext.territoire.index_retry_seconds"))


def patiently(operation: Callable[[int], T], seconds: float, what: str) -> T:
    """``operation(try_number)`` (0 first), tried again every 2 s while the
    search index refuses it (``search.SearchIndexError``: a SolrCloud shard
    electing a new leader, Solr restarting; CKAN indexes before it commits,
    so the refused transaction is rolled back), for ``seconds``; then the
    refusal is raised."""
    deadline = time.monotonic() + seconds
    tries = 0
    while True:
        try:
            return operation(tries)
        except search.SearchIndexError as error:
            model.Session.rollback()
            if time.monotonic() + WAIT > deadline:
                raise
            tries += 1
            log.warning(
                "%s: the search index refused (%s), try %d", what, error, tries + 1
            )
            time.sleep(WAIT)


def reindex(dataset_id: str, seconds: float = 0.0) -> None:
    """The dataset's search document replaced by its current state; a
    dataset that no longer exists, or was deleted meanwhile, is removed.
    A refusal of the index is tried again for ``seconds`` (``patiently``)."""
    patiently(lambda _try: _reindex(dataset_id), seconds, dataset_id)


def _reindex(dataset_id: str) -> None:
    try:
        dataset = _read(dataset_id)
    except tk.ObjectNotFound:
        _index().remove_dict({"id": dataset_id})
        return
    _index().update_dict(dataset)
    if dataset.get("state") != "deleted" and not still_there(dataset["id"]):
        _index().remove_dict({"id": dataset["id"]})


__all__ = ["patience", "patiently", "reindex", "still_there"]
