"""search_index.reindex: a dataset's search document replaced in place (it
never leaves the search while it is re-indexed), and never put back once the
dataset is gone (a job that read it just before a source was cleared)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.opendata_territoire import search_index
from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def new_dataset(name: str) -> dict:
    organization = factories.Organization()
    return factories.Dataset(
        name=name, owner_org=organization["id"], **dataset_fields()
    )


def found(name: str) -> int:
    return helpers.call_action("package_search", q=f"name:{name}")["count"]


def test_a_dataset_never_leaves_the_search_while_it_is_reindexed():
    dataset = new_dataset("budget-engins")
    counts: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            counts.append(found("budget-engins"))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(30):
            search_index.reindex(dataset["id"])
    finally:
        done.set()
        watcher.join()

    assert counts and min(counts) == 1


def test_a_purged_dataset_is_removed_from_the_search_not_added():
    dataset = new_dataset("purge-moi")
    helpers.call_action("dataset_purge", id=dataset["id"])
    # A document left behind (the index and the database out of step).
    search_index._index().update_dict({**dataset, "state": "active"})
    assert found("purge-moi") == 1

    search_index.reindex(dataset["id"])

    assert found("purge-moi") == 0


def test_a_dataset_deleted_while_it_is_read_is_not_put_back(monkeypatch):
    """The race seen after a harvest source was cleared: the job read the
    dataset, the clear removed it (database and index), then the job wrote
    its document back."""
    dataset = new_dataset("efface-pendant")
    read = search_index._read

    def read_then_cleared(dataset_id: str) -> dict:
        shown = read(dataset_id)
        with model.meta.engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE package SET state = 'deleted' WHERE id = :id"),
                {"id": dataset["id"]},
            )
        search_index._index().remove_dict({"id": dataset["id"]})
        return shown

    monkeypatch.setattr(search_index, "_read", read_then_cleared)

    search_index.reindex(dataset["id"])

    assert found("efface-pendant") == 0
