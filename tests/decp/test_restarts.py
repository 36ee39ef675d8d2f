"""Faults of the services during a harvest: PostgreSQL restarted while the
fetch worker imports (into an empty catalogue or over published contracts)
or while the gather worker downloads, the gather's connection lost while it
writes its objects, Redis restarted or crashed with the queue's content lost
(harvest objects, or the job's gather message). The project's own services
are really stopped and started (dev/services.sh, with the ports and DEV_DIR
dev/test.sh exported), the workers are real `ckan harvester fetch-consumer`
and `gather-consumer` processes, and the recovery is the one a deployment
runs: a supervisor starts a dead worker again, `ckan harvester run` (cron)
resubmits what the queue lost and closes the job, ckan.harvest.timeout
closes a job nothing can finish, the next scheduled harvest completes what
the job could not.

After recovery the job is not left "Running", the search shows one dataset
per buyer, and every contract of the source is published once: none lost,
none doubled (the sample the demo ships; the test territory holds three of
its buyers); contracts published before are never out of view meanwhile."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
import redis
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from ckanext.harvest import queue
from ckanext.harvest.logic import HarvestJobExists
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject

from ckanext.opendata_territoire.decp.harvester import DecpHarvester
from tests.decp.test_faults import EXPECTED, table_uids
from tests.decp.test_harvester import (
    SLUG,
    datagouv,  # noqa: F401 (a fixture)
    harvest,
    json_file,
    source,
)
from tests.decp.test_import import ENGINS, marche_2022
from tests.decp.test_sample import SAMPLE
from tests.harvesting import running_job

# They stop PostgreSQL and Redis: on private instances only (tests/conftest.py).
pytestmark = [
    pytest.mark.faults,
    pytest.mark.usefixtures(
        "private_services", "clean_datastore", "with_request_context"
    ),
]

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


def worker_ini(ini: str) -> str:
    """The configuration of the worker processes: the session's, with the
    loopback addresses allowed, as the stand-in of data.gouv.fr runs there
    (this process's settings, changed by the tests, are not the workers')."""
    source = Path(ini).resolve()
    text = source.read_text().replace("%(here)s", str(source.parent))
    text = text.replace(
        "[app:main]\n",
        "[app:main]\nckanext.territoire.private_addresses_allowed = 127.0.0.0/8\n",
        1,
    )
    path = Path(tempfile.mkdtemp(prefix="territoire-worker-")) / "worker.ini"
    path.write_text(text)
    return str(path)


class Worker:
    """A `ckan harvester fetch-consumer` (or gather-consumer) process, started
    again when it died (as supervisor does). Its output goes to ``log`` when
    given (shown when a test fails)."""

    def __init__(
        self, ini: str, stage: str = "fetch-consumer", log: Path | None = None
    ) -> None:
        self.ini = worker_ini(ini)
        self.stage = stage
        self.log = log
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.start()

    def start(self) -> None:
        command = [str(CKAN), "-c", self.ini, "harvester", self.stage]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.log is None:
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
            )
        else:
            with open(self.log, "ab") as output:
                self.process = subprocess.Popen(
                    command, stdout=output, stderr=subprocess.STDOUT, env=env
                )
        self.starts += 1

    def tail(self) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

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


def run_cron(
    source_dict,
    job_id: str,
    worker: Worker,
    seconds: float,
    every_second: Callable[[], None] | None = None,
    others: tuple[Worker, ...] = (),
) -> str:
    """`ckan harvester run` every second until the job is closed (and
    ``every_second`` called each time: what a user sees meanwhile)."""
    deadline = time.monotonic() + seconds
    status = "Running"
    while time.monotonic() < deadline:
        for each in (worker, *others):
            each.keep_alive()
        if every_second is not None:
            every_second()
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


def procurement_datasets() -> list[dict]:
    """The buyers' procurement datasets the search shows (the catalogue's
    and the organizations' pages)."""
    model.Session.remove()
    found = helpers.call_action("package_search", fq="decp_buyer_siren:*", rows=100)
    return found["results"]


def assert_published_once() -> None:
    """One dataset per buyer in the search, each of which opens, and in its
    table each contract of the buyer once."""
    shown = procurement_datasets()
    assert sorted(hit["organization"]["name"] for hit in shown) == sorted(EXPECTED)
    for hit in shown:
        dataset = helpers.call_action("package_show", id=hit["id"])
        uids = table_uids(dataset)
        org = dataset["organization"]["name"]
        assert len(uids) == len(set(uids)) == EXPECTED[org], org


def redis_connection(ckan_config) -> redis.Redis:
    return redis.Redis.from_url(ckan_config["ckan.redis.url"], decode_responses=True)


def first_half_published(fake, source_dict) -> dict[str, list[str]]:
    """The first half of the sample harvested (a first monthly file), then
    the whole of it served: the contracts each buyer shows."""
    records = json.loads(SAMPLE.read_bytes())["marches"]["marche"]
    half = {"marches": {"marche": records[: len(records) // 2]}}
    resource = fake.resource(
        "r-sample", "decp-ccmv-demo.json", json.dumps(half).encode()
    )
    fake.dataset(SLUG, [[resource]])
    harvest(source_dict)
    shown = contracts_by_buyer()
    resource = fake.resource("r-sample", "decp-ccmv-demo.json", SAMPLE.read_bytes())
    fake.dataset(SLUG, [[resource]])
    return shown


@pytest.mark.parametrize("published_before", [False, True], ids=["empty", "published"])
def test_postgresql_restarted_while_the_worker_imports(
    datagouv,  # noqa: F811
    sample_source,
    ckan_config,
    published_before,
):
    """Into an empty catalogue, or over contracts published by an earlier
    harvest, which stay in view all along (checked every second while the
    harvest recovers): never blanked, never doubled."""
    before = {org: [] for org in EXPECTED}
    if published_before:
        before = first_half_published(datagouv, sample_source)
        assert all(before.values()), before
        assert sum(map(len, before.values())) < sum(EXPECTED.values())

    def never_blanked_nor_doubled() -> None:
        for org, uids in contracts_by_buyer().items():
            assert len(uids) == len(set(uids)), org
            assert set(before[org]) <= set(uids), org

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
        never_blanked_nor_doubled()
        # The worker's connection died under it: the object it held failed
        # or is left in the queue's in-flight markers.
        wait_for(lambda: worker.process.poll() is not None, 5)
        three_minutes_later(redis_connection(ckan_config))
        status = run_cron(sample_source, job.id, worker, 90, never_blanked_nor_doubled)
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
    try:
        if how == "crash":
            connection.shutdown(nosave=True)
        else:
            services("stop", "redis")
    finally:
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


def contracts_by_buyer() -> dict[str, list[str]]:
    """The contract ids the buyers' datasets in the search show, while a
    harvest goes on (none for a buyer without dataset yet)."""
    found: dict[str, list[str]] = {org: [] for org in EXPECTED}
    for hit in procurement_datasets():
        try:
            dataset = helpers.call_action("package_show", id=hit["id"])
        except tk.ObjectNotFound:
            # CKAN indexes a new dataset just before committing it.
            continue
        # A dataset being created shows no table for a moment, then its
        # table's resource before the DataStore made the table (two
        # transactions of datastore_create): no contract published yet. A
        # table published before that vanished would show as contracts lost.
        if any(r.get("url_type") == "datastore" for r in dataset["resources"]):
            try:
                found[dataset["organization"]["name"]] += table_uids(dataset)
            except tk.ObjectNotFound:
                continue
    return found


def gather_errors(job_id: str) -> list[str]:
    model.Session.remove()
    return [e.message for e in HarvestGatherError.filter(harvest_job_id=job_id).all()]


def test_postgresql_restarted_while_the_gather_worker_downloads(
    datagouv,  # noqa: F811
    territory,
    ckan_config,
    tmp_path,
):
    """The catalogue is published; a new monthly file appears, and
    PostgreSQL restarts while a real `ckan harvester gather-consumer`
    downloads it (a national file takes minutes). The gather must not hold a
    database connection over the download: it goes on with a new one, the
    job completes, and what was published stays in view all along."""
    sample = datagouv.resource("r-sample", "decp-ccmv-demo.json", SAMPLE.read_bytes())
    datagouv.dataset(SLUG, [[sample]])
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")
    harvest(src)
    before = contracts_by_buyer()
    assert {org: len(uids) for org, uids in before.items()} == EXPECTED
    june = datagouv.resource(
        "r-june", "decp-2024-06.json", json_file(marche_2022(9001, ENGINS))
    )
    datagouv.dataset(SLUG, [[sample, june]])
    download = threading.Event()  # the file comes once PostgreSQL is back
    datagouv.routes["/files/decp-2024-06.json"].gate = download

    def never_blanked_nor_doubled() -> None:
        for org, uids in contracts_by_buyer().items():
            assert len(uids) == len(set(uids)), org
            assert set(before[org]) <= set(uids), org

    ini = ckan_config["__file__"]
    gather = Worker(ini, "gather-consumer", tmp_path / "gather.log")
    fetch = Worker(ini, "fetch-consumer", tmp_path / "fetch.log")
    try:
        job = helpers.call_action(
            "harvest_job_create", {"ignore_auth": True}, source_id=src["id"]
        )
        assert wait_for(lambda: "/api/1/datasets/r/r-june" in datagouv.requests, 30), (
            gather.tail()
        )
        model.Session.remove()
        services("stop", "postgres")
        try:
            time.sleep(1)
        finally:
            services("start", "postgres")
            download.set()
        never_blanked_nor_doubled()
        status = run_cron(
            src, job["id"], fetch, 60, never_blanked_nor_doubled, others=(gather,)
        )
    finally:
        download.set()
        gather.stop()
        fetch.stop()

    assert status == "Finished", gather.tail()
    assert gather.starts == 1, gather.tail()  # the worker did not die
    assert gather_errors(job["id"]) == []
    assert states(job["id"]) == ["COMPLETE"] * 3
    after = contracts_by_buyer()
    assert sorted(after["engins"]) == sorted([*before["engins"], f"{ENGINS}2024-9001"])
    assert after["villard-de-lans"] == before["villard-de-lans"]
    assert after["ccmv"] == before["ccmv"]


def test_a_harvest_whose_gather_message_redis_lost_is_closed_by_the_timeout(
    sample_source, ckan_config, tmp_path
):
    """Redis crashes (no save since the job was created): the job's message
    to the gather worker is gone, nothing re-sends it, and the job stays
    "Running", which refuses any new harvest of the source. After
    ckan.harvest.timeout minutes `ckan harvester run` closes it with an
    error; the next harvest publishes everything, once."""
    connection = redis_connection(ckan_config)
    connection.save()  # the last snapshot before the harvest
    job = helpers.call_action(
        "harvest_job_create", {"ignore_auth": True}, source_id=sample_source["id"]
    )
    try:
        connection.shutdown(nosave=True)
    finally:
        services("start", "redis")
    connection = redis_connection(ckan_config)
    assert connection.llen(queue.get_gather_routing_key()) == 0

    ini = ckan_config["__file__"]
    gather = Worker(ini, "gather-consumer", tmp_path / "gather.log")
    fetch = Worker(ini, "fetch-consumer", tmp_path / "fetch.log")
    try:
        time.sleep(3)  # the workers are idle: nothing comes
        helpers.call_action(
            "harvest_jobs_run", {"ignore_auth": True}, source_id=sample_source["id"]
        )
        model.Session.remove()
        stuck = HarvestJob.get(job["id"])
        assert (stuck.status, stuck.gather_started) == ("Running", None)
        with pytest.raises(HarvestJobExists):
            helpers.call_action(
                "harvest_job_create",
                {"ignore_auth": True},
                source_id=sample_source["id"],
            )

        # ckan.harvest.timeout minutes later (60 in test.ini)...
        timeout = int(ckan_config["ckan.harvest.timeout"])
        stuck.created = stuck.created - dt.timedelta(minutes=timeout + 1)
        stuck.save()
        helpers.call_action(
            "harvest_jobs_run", {"ignore_auth": True}, source_id=sample_source["id"]
        )
        assert HarvestJob.get(job["id"]).status == "Finished"
        assert any(
            f"timeout ({timeout} minutes)" in m for m in gather_errors(job["id"])
        )
        assert contracts_by_buyer() == {org: [] for org in EXPECTED}

        # ... the next harvest runs.
        again = helpers.call_action(
            "harvest_job_create", {"ignore_auth": True}, source_id=sample_source["id"]
        )
        status = run_cron(sample_source, again["id"], fetch, 60, others=(gather,))
    finally:
        gather.stop()
        fetch.stop()

    assert status == "Finished", gather.tail() + fetch.tail()
    assert states(again["id"]) == ["COMPLETE"] * 3
    assert_published_once()


# The connection of the gather dies (as on a PostgreSQL restart) when it
# writes the CCMV's object, the last of the three.
CONNECTION_LOST_ON_WRITE = """
CREATE OR REPLACE FUNCTION territoire_test_connection_lost() RETURNS trigger AS $$
BEGIN
    PERFORM pg_terminate_backend(pg_backend_pid());
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER territoire_test_connection_lost BEFORE INSERT ON harvest_object
FOR EACH ROW WHEN (NEW.guid = '243801024')
EXECUTE FUNCTION territoire_test_connection_lost();
"""


def hours_later(job_id: str, hours: int) -> None:
    """The job and its objects as they look ``hours`` later."""
    model.Session.remove()
    back = dt.timedelta(hours=hours)
    job = HarvestJob.get(job_id)
    for name in ("created", "gather_started", "gather_finished"):
        if getattr(job, name) is not None:
            setattr(job, name, getattr(job, name) - back)
    for obj in HarvestObject.filter(harvest_job_id=job_id).all():
        for name in ("gathered", "fetch_started", "fetch_finished", "import_finished"):
            if getattr(obj, name) is not None:
                setattr(obj, name, getattr(obj, name) - back)
        obj.add()
    job.save()


def test_a_gather_whose_connection_dies_while_it_writes_leaves_no_half_harvest(
    sample_source, ckan_config
):
    """The gather's connection dies while it writes the buyers' objects: it
    writes all of them or none. Half of them, once imported by the fetch
    worker, would make the file count as harvested, and the next harvest
    would skip the other buyers' contracts as unchanged: lost."""
    job_dict = helpers.call_action(
        "harvest_job_create",
        {"ignore_auth": True},
        source_id=sample_source["id"],
        run=False,
    )
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.save()
    model.Session.execute(sa.text(CONNECTION_LOST_ON_WRITE))
    model.Session.commit()
    try:
        with pytest.raises(sa.exc.SQLAlchemyError) as failure:
            queue.gather_stage(DecpHarvester(), job)
    finally:
        model.Session.remove()
        model.Session.execute(
            sa.text("DROP FUNCTION IF EXISTS territoire_test_connection_lost CASCADE")
        )
        model.Session.commit()
    # What the gather met on the PostgreSQL restart of the test above.
    assert "server closed the connection unexpectedly" in str(failure.value)
    assert states(job_dict["id"]) == []  # none written

    # The fetch worker imports whatever objects were written...
    for obj in HarvestObject.filter(
        harvest_job_id=job_dict["id"], state="WAITING"
    ).all():
        queue.fetch_and_import_stages(DecpHarvester(), obj)
    # ... and, the gather never finished, ckan.harvest.timeout closes the job.
    hours_later(job_dict["id"], 2)
    helpers.call_action(
        "harvest_jobs_run", {"ignore_auth": True}, source_id=sample_source["id"]
    )
    model.Session.remove()
    assert HarvestJob.get(job_dict["id"]).status == "Finished"

    harvest(sample_source)

    assert_published_once()
