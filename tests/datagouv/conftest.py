"""Fixtures of the udata harvester's tests: a local server answering like
data.gouv.fr, harvest sources, and one harvest run stage by stage."""

from __future__ import annotations

import json

import pytest
from ckan.tests import factories, helpers

from ckanext.opendata_territoire.datagouv.harvester import UdataHarvester
from ckanext.opendata_territoire.harvesters.notes import object_notes
from tests.decp.fake_datagouv import Server
from tests.harvesting import run_job


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

    def notes(self, guid=None):
        """What was kept differently, without failing (harvesters/notes.py):
        not errors."""
        objects = [self.objects[guid]] if guid else self.objects.values()
        return [note for o in objects for note in object_notes(o)]


def harvest(source_dict) -> Run:
    """One harvest job, run stage by stage as the queues would, then
    closed as `ckan harvester run` closes it."""
    return Run(*run_job(source_dict, UdataHarvester()))
