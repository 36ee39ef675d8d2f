"""Fixtures of the udata harvester's tests: a local server answering like
data.gouv.fr, harvest sources, and one harvest run stage by stage."""

from __future__ import annotations

import json

import pytest
from ckan.tests import factories, helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject

from ckanext.opendata_territoire.harvesters.udata import UdataHarvester
from tests.decp.fake_datagouv import Server


@pytest.fixture
def datagouv(ckan_config, monkeypatch):
    with Server() as fake:
        monkeypatch.setitem(ckan_config, "ckanext.territoire.datagouv_url", fake.url)
        monkeypatch.setitem(ckan_config, "ckanext.territoire.udata.timeout", "2")
        yield fake


def source(url, config=None, owner="ccmv", name="datagouv-villard"):
    sysadmin = factories.Sysadmin()
    return helpers.call_action(
        "harvest_source_create",
        {"user": sysadmin["name"]},
        name=name,
        title="data.gouv.fr",
        url=url,
        source_type="udata",
        config=json.dumps(config) if config is not None else "",
        owner_org=owner,
    )


class Run:
    def __init__(self, objects, gather_errors, job_id):
        self.objects = objects
        self.gather_errors = gather_errors
        self.job_id = job_id

    def statuses(self):
        return sorted(o.report_status for o in self.objects.values())

    def errors(self, guid=None):
        objects = [self.objects[guid]] if guid else self.objects.values()
        return [e.message for o in objects for e in o.errors]


def harvest(source_dict) -> Run:
    """One harvest job, run stage by stage as the queues would, then
    closed as `ckan harvester run` closes it."""
    job_dict = helpers.call_action(
        "harvest_job_create",
        {"ignore_auth": True},
        source_id=source_dict["id"],
        run=False,
    )
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.save()
    harvester = UdataHarvester()
    ids = queue.gather_stage(harvester, job) or []
    objects = {}
    for obj_id in ids:
        obj = HarvestObject.get(obj_id)
        queue.fetch_and_import_stages(harvester, obj)
        objects[obj.guid] = obj
    helpers.call_action(
        "harvest_jobs_run", {"ignore_auth": True}, source_id=source_dict["id"]
    )
    gather_errors = [
        e.message for e in HarvestGatherError.filter(harvest_job_id=job.id).all()
    ]
    return Run(objects, gather_errors, job.id)
