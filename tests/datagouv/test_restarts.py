"""PostgreSQL restarted while the udata harvester's gather worker (a real
`ckan harvester gather-consumer` process) reads the source's listing from
data.gouv.fr, page by page: the gather holds no database connection over the
listing, goes on once PostgreSQL is back, and the job completes with every
dataset harvested (tests/decp/test_restarts.py: the same for the DECP
harvester, and the other faults of the services)."""

from __future__ import annotations

import threading
import time

import pytest
from ckan import model
from ckan.tests import helpers

from tests.datagouv.conftest import source
from tests.datagouv.fake_udata import VILLARD_ORG, organization
from tests.datagouv.test_harvester import (
    VILLARD_SIREN,
    datasets_of,
    org_url,
    three_datasets,
)
from tests.decp.test_restarts import Worker, run_cron, services, states, wait_for

# They stop PostgreSQL: on a private instance only (tests/conftest.py).
pytestmark = [
    pytest.mark.faults,
    pytest.mark.usefixtures(
        "private_services", "clean_db", "clean_index", "with_request_context"
    ),
]


def test_postgresql_restarted_while_the_gather_worker_lists_the_source(
    datagouv, territory, ckan_config, tmp_path
):
    first, second, third = three_datasets()
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second], [third]], 2)
    second_page = (
        f"/api/1/organizations/{VILLARD_ORG['slug']}/datasets/?page=2&page_size=2"
    )
    listing = threading.Event()  # the second page comes once PostgreSQL is back
    datagouv.routes[second_page].gate = listing
    src = source(org_url(datagouv), {"page_size": 2})

    ini = ckan_config["__file__"]
    gather = Worker(ini, "gather-consumer", tmp_path / "gather.log")
    fetch = Worker(ini, "fetch-consumer", tmp_path / "fetch.log")
    try:
        job = helpers.call_action(
            "harvest_job_create", {"ignore_auth": True}, source_id=src["id"]
        )
        assert wait_for(lambda: second_page in datagouv.requests, 30), gather.tail()
        model.Session.remove()
        services("stop", "postgres")
        try:
            time.sleep(1)
        finally:
            services("start", "postgres")
            listing.set()
        status = run_cron(src, job["id"], fetch, 60, others=(gather,))
    finally:
        listing.set()
        gather.stop()
        fetch.stop()

    assert status == "Finished", gather.tail()
    assert gather.starts == 1, gather.tail()  # the worker did not die
    assert states(job["id"]) == ["COMPLETE"] * 3
    assert sorted(datasets_of("villard-de-lans")) == [
        "Jeu de données 1",
        "Jeu de données 2",
        "Jeu de données 3",
    ]
