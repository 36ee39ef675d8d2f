"""Faults of the services during a harvest: PostgreSQL restarted while the
fetch worker imports, Redis restarted with the queue's content lost. The
project's own services are really stopped and started (dev/services.sh), the
fetch worker is a real `ckan harvester fetch-consumer` process, and the
recovery is the one a deployment runs: a supervisor starts a dead worker
again, `ckan harvester run` (cron) resubmits what the queue lost and closes
the job, the next scheduled harvest completes what the job could not.

After recovery the job is not left "Running", and every contract of the
source is published once: none lost, none doubled (the sample the demo ships;
the test territory holds three of its buyers)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from ckan import model
from ckan.tests import helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.opendata_territoire.harvesters.decp import DecpHarvester
from tests.decp.test_faults import EXPECTED, published, table_uids
from tests.decp.test_harvester import (
    SLUG,
    datagouv,  # noqa: F401 (a fixture)
    harvest,
    source,
)
from tests.decp.test_sample import SAMPLE
from tests.harvesting import running_job

pytestmark = pytest.mark.usefixtures("clean_datastore", "with_request_context")

REPO = Path(__file__).resolve().parents[2]
CKAN = Path(sys.executable).parent / "ckan"
SERVICES = REPO / "dev" / "services.sh"
TERMINAL = ("COMPLETE", "ERROR")


@pytest.fixture
def sample_source(datagouv, territory):  # noqa: F811
    resource = datagouv.resource("r-sample", "decp-ccmv-demo.json", SAMPLE.read_bytes())
    datagouv.dataset(SLUG, [[resource]])
    return source(f"{datagouv.url}/fr/datasets/{SLUG}/")


def services(*args: str) -> None:
    """dev/services.sh with the environment of this run (its ports and
    DEV_DIR, exported by dev/test.sh)."""
    done = subprocess.run(
        ["bash", str(SERVICES), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


class Worker:
    """A `ckan harvester fetch-consumer` process, started again when it died
    (as supervisor does)."""

    def __init__(self, ini: str) -> None:
        self.ini = ini
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(CKAN), "-c", self.ini, "harvester", "fetch-consumer"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.starts += 1

    def keep_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def gather_and_queue(source_dict) -> HarvestJob:
    """What the gather worker does: the job gathered, its objects sent to
    the fetch queue."""
    job = running_job(source_dict)
    ids = queue.gather_stage(DecpHarvester(), job)
    assert ids
    publisher = queue.get_fetch_publisher()
    for object_id in ids:
        publisher.send({"harvest_object_id": object_id})
    publisher.close()
    return job


def states(job_id: str) -> list[str]:
    model.Session.remove()
    return [o.state for o in HarvestObject.filter(harvest_job_id=job_id).all()]


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def three_minutes_later(connection: redis.Redis) -> None:
    """The fetch queue's in-flight markers aged past ckanext-harvest's three
    minutes, after which `ckan harvester run` sends their objects again."""
    old = (dt.datetime.now() - dt.timedelta(minutes=10)).strftime(
        "%Y-%m-%d %H:%M:%S.%f"
    )
    for key in connection.keys(queue.get_fetch_routing_key() + ":*"):
        connection.set(key, old)


def run_cron(source_dict, job_id: str, worker: Worker, seconds: float) -> str:
    """`ckan harvester run` every second until the job is closed."""
    deadline = time.monotonic() + seconds
    status = "Running"
    while time.monotonic() < deadline:
        worker.keep_alive()
        model.Session.remove()
        helpers.call_action(
            "harvest_jobs_run", {"ignore_auth": True}, source_id=source_dict["id"]
        )
        model.Session.remove()
        status = HarvestJob.get(job_id).status
        if status == "Finished":
            break
        time.sleep(1)
    return status


def assert_published_once() -> None:
    for org, count in EXPECTED.items():
        dataset = published(org)
        assert dataset is not None, org
        uids = table_uids(dataset)
        assert len(uids) == len(set(uids)) == count, org


def redis_connection(ckan_config) -> redis.Redis:
    return redis.Redis.from_url(ckan_config["ckan.redis.url"], decode_responses=True)


def test_postgresql_restarted_while_the_worker_imports(sample_source, ckan_config):
    job = gather_and_queue(sample_source)
    worker = Worker(ckan_config["__file__"])
    try:
        assert wait_for(
            lambda: any(s in ("FETCH", "IMPORT", "COMPLETE") for s in states(job.id)),
            60,
        ), "the worker took no object"
        during = states(job.id)
        model.Session.remove()
        services("stop", "postgres")
        try:
            time.sleep(1)
        finally:
            services("start", "postgres")
        model.Session.remove()
        # The worker's connection died under it: the object it held failed
        # or is left in the queue's in-flight markers.
        wait_for(lambda: worker.process.poll() is not None, 5)
        three_minutes_later(redis_connection(ckan_config))
        status = run_cron(sample_source, job.id, worker, 90)
    finally:
        worker.stop()

    assert status == "Finished", states(job.id)
    assert all(state in TERMINAL for state in states(job.id))
    assert during.count("COMPLETE") < len(during), (
        "the restart came after the imports: nothing was interrupted"
    )
    # The next harvest (cron, daily) takes again what the job could not
    # finish; with everything finished it has nothing to do.
    harvest(sample_source)

    assert_published_once()


def queued(connection: redis.Redis) -> set[str]:
    """The harvest objects waiting in the fetch queue."""
    return {
        json.loads(message)["harvest_object_id"]
        for message in connection.lrange(queue.get_fetch_routing_key(), 0, -1)
    }


@pytest.mark.parametrize("how", ["restart", "crash"])
def test_redis_restarted_during_a_harvest(sample_source, ckan_config, how):
    """Restarted (SHUTDOWN saves the queue to disk: it comes back), or
    crashed (what was queued since the last snapshot is gone)."""
    connection = redis_connection(ckan_config)
    connection.save()  # the last snapshot before the harvest
    job = gather_and_queue(sample_source)
    ours = {o.id for o in HarvestObject.filter(harvest_job_id=job.id).all()}
    assert queued(connection) >= ours
    if how == "crash":
        connection.shutdown(nosave=True)
    else:
        services("stop", "redis")
    services("start", "redis")
    connection = redis_connection(ckan_config)
    if how == "crash":
        assert not queued(connection) & ours
    else:
        assert queued(connection) >= ours
    assert states(job.id) == ["WAITING"] * 3

    worker = Worker(ckan_config["__file__"])
    try:
        # `ckan harvester run` sends the objects still waiting again.
        status = run_cron(sample_source, job.id, worker, 90)
    finally:
        worker.stop()

    assert status == "Finished"
    assert states(job.id) == ["COMPLETE"] * 3
    assert_published_once()
