"""The real parts: PostgreSQL, the DataStore, Solr, Redis and the harvest
tables, as CKAN uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import jobs
from ckan.lib.search.common import make_connection
from ckan.plugins.toolkit import config
from ckan.tests import factories, helpers

from tests.factories import dataset_fields


def sysadmin_context() -> dict:
    return {"user": factories.Sysadmin()["name"], "ignore_auth": False}


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dataset_created_through_the_api_is_found_by_package_search():
    context = sysadmin_context()
    org = helpers.call_action(
        "organization_create", context=dict(context), name="engins", title="Engins"
    )
    helpers.call_action(
        "package_create",
        context=dict(context),
        name="deliberations-engins",
        title="Délibérations du conseil municipal",
        notes="Les délibérations depuis 2020.",
        owner_org=org["id"],
        **dataset_fields(),
    )

    result = helpers.call_action("package_search", q="délibérations")

    assert result["count"] == 1
    assert result["results"][0]["name"] == "deliberations-engins"
    # The answer came from Solr: the document is in the core's index.
    solr = make_connection()
    site_id = config["ckan.site_id"]
    hits = solr.search(q="name:deliberations-engins", fq=f'site_id:"{site_id}"')
    assert hits.hits == 1


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_datastore_resource_can_be_created_and_queried():
    context = sysadmin_context()
    dataset = factories.Dataset(
        owner_org=factories.Organization()["id"], **dataset_fields()
    )
    resource = factories.Resource(package_id=dataset["id"], url_type="datastore")

    helpers.call_action(
        "datastore_create",
        context=dict(context),
        resource_id=resource["id"],
        force=True,
        fields=[
            {"id": "uid", "type": "text"},
            {"id": "montant", "type": "numeric"},
        ],
        primary_key=["uid"],
        records=[
            {"uid": "21380001900019-2024-001", "montant": 12500},
            {"uid": "21380001900019-2024-002", "montant": 48000},
        ],
    )

    # datastore_search reads through the read-only user (ckan.datastore.read_url)
    # whose rights `ckan datastore set-permissions` granted.
    found = helpers.call_action(
        "datastore_search",
        resource_id=resource["id"],
        filters={"uid": "21380001900019-2024-002"},
    )
    assert found["total"] == 1
    assert float(found["records"][0]["montant"]) == 48000


@pytest.mark.usefixtures("clean_redis")
def test_background_job_runs_through_redis_in_a_separate_worker(tmp_path, request):
    marker = tmp_path / "job-ran"
    job = jobs.enqueue(os.mkdir, [str(marker)], title="territoire test job")

    worker = subprocess.run(
        [
            str(Path(sys.executable).parent / "ckan"),
            "-c",
            request.config.getoption("ckan_ini"),
            "jobs",
            "worker",
            "--burst",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert worker.returncode == 0, worker.stderr[-2000:]
    assert marker.is_dir()
    job.refresh()
    assert job.get_status() == "finished"


def test_harvest_tables_exist():
    tables = set(sa.inspect(model.meta.engine).get_table_names())

    assert {
        "harvest_source",
        "harvest_job",
        "harvest_object",
        "harvest_object_error",
        "harvest_gather_error",
    } <= tables
