"""A DECP harvest that reads the national tabular file queues a refresh of
the peers' figures; the job downloads the file and refreshes them."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.lib import jobs

from ckanext.opendata_territoire.peers.model import PeerFigure
from tests.decp.test_harvester import datagouv, harvest, source  # noqa: F401
from tests.decp.test_tabular_import import national_source
from tests.quality.conftest import run_jobs

pytestmark = pytest.mark.usefixtures(
    "clean_datastore", "with_request_context", "clean_queues"
)


def peers_jobs():
    return [
        job
        for job in jobs.get_queue().jobs
        if "peers refresh" in (job.meta.get("title") or "")
    ]


def epcis_stored():
    model.Session.expire_all()
    return {f.epci_siren for f in model.Session.query(PeerFigure)}


def test_a_harvest_of_the_national_file_refreshes_the_peers(
    datagouv,  # noqa: F811
    territory,
    national,
    ckan_config,
    monkeypatch,
):
    monkeypatch.setitem(
        ckan_config, "ckanext.territoire.peers.refresh_after_harvest", True
    )
    path, epcis = national
    src, _resource = national_source(datagouv, path.read_bytes(), fmt="csv")

    objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert objects  # the territory's contracts harvested as before
    assert epcis_stored() == set()  # not yet: the job does it
    assert len(peers_jobs()) == 1
    run_jobs()
    assert epcis_stored() == {e.siren for e in epcis}


def test_without_the_option_no_refresh_is_queued(
    datagouv,  # noqa: F811
    territory,
    national,
):
    path, _epcis = national
    src, _resource = national_source(datagouv, path.read_bytes(), fmt="csv")

    _objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert peers_jobs() == []
    run_jobs()
    assert epcis_stored() == set()
