"""Harvest jobs run stage by stage in the test process, as the gather and
fetch workers would run them from the queues."""

from __future__ import annotations

from typing import Any

from ckan.tests import helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject


def running_job(source_dict: dict[str, Any]) -> HarvestJob:
    """A new job of the source, marked as the gather worker marks it."""
    job_dict = helpers.call_action(
        "harvest_job_create",
        {"ignore_auth": True},
        source_id=source_dict["id"],
        run=False,
    )
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.save()
    return job


def run_job(
    source_dict: dict[str, Any], harvester: Any
) -> tuple[dict[str, HarvestObject], list[str], str]:
    """One job: gathered, each object fetched and imported, then closed as
    `ckan harvester run` closes it. Gives the objects by guid, the gather
    errors and the job's id."""
    job = running_job(source_dict)
    objects = {}
    for obj_id in queue.gather_stage(harvester, job) or []:
        obj = HarvestObject.get(obj_id)
        queue.fetch_and_import_stages(harvester, obj)
        objects[obj.guid] = obj
    helpers.call_action(
        "harvest_jobs_run", {"ignore_auth": True}, source_id=source_dict["id"]
    )
    errors = [e.message for e in HarvestGatherError.filter(harvest_job_id=job.id).all()]
    return objects, errors, job.id
