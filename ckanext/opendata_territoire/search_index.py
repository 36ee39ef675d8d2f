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

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import search

log = logging.getLogger(__name__)
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


def reindex(dataset_id: str, patience: float = 0.0) -> None:
    """The dataset's search document replaced by its current state; a
    dataset that no longer exists, or was deleted meanwhile, is removed.
    While the index refuses (``search.SearchIndexError``: a SolrCloud shard
    electing a new leader, Solr restarting), tried again every 2 s for
    ``patience`` seconds, then the refusal is raised."""
    deadline = time.monotonic() + patience
    tries = 1
    while True:
        try:
            _reindex(dataset_id)
            return
        except search.SearchIndexError as error:
            if time.monotonic() + WAIT > deadline:
                raise
            log.warning(
                "%s: the search index refused (%s), try %d",
                dataset_id,
                error,
                tries + 1,
            )
            tries += 1
            time.sleep(WAIT)


def _reindex(dataset_id: str) -> None:
    try:
        dataset = _read(dataset_id)
    except tk.ObjectNotFound:
        _index().remove_dict({"id": dataset_id})
        return
    _index().update_dict(dataset)
    if dataset.get("state") != "deleted" and not still_there(dataset["id"]):
        _index().remove_dict({"id": dataset["id"]})


__all__ = ["reindex", "still_there"]
