"""Checks that every kind of worker of a served portal answers (`dev/serve.sh
check`, run at the end of `make serve`):

- web: CKAN answers through nginx (status_show, the home page), and nginx
  itself serves a static file (its X-Served-By header);
- jobs: a test job put at the front of CKAN's queue (CKAN's own
  ``ckan.lib.jobs.test_job``) is run by the jobs worker;
- harvest gather and fetch: a message put on each harvest queue is taken off
  by a consumer (ckanext-harvest drops a message naming no job or object,
  with a line in its log), and as many consumers wait on the fetch queue as
  were started.

Prints one line a check; exit code 1 when one fails.
"""

from __future__ import annotations

import argparse
import configparser
import json
import sys
import time
import uuid
from collections.abc import Callable

import requests
from redis import Redis
from rq import Queue


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def check_web(url: str) -> list[str]:
    problems = []
    status = requests.get(f"{url}/api/3/action/status_show", timeout=30)
    if status.status_code != 200 or not status.json().get("success"):
        problems.append(f"status_show answered {status.status_code}")
    if status.headers.get("Server", "").split("/")[0] != "nginx":
        problems.append("status_show did not come through nginx")
    home = requests.get(url + "/", timeout=30)
    if home.status_code != 200:
        problems.append(f"the home page answered {home.status_code}")
    static = requests.get(f"{url}/base/images/ckan-logo.png", timeout=30)
    if static.status_code != 200 or static.headers.get("X-Served-By") != "nginx":
        problems.append("a static file was not served by nginx")
    return problems


def check_jobs(redis: Redis, site_id: str) -> list[str]:
    queue = Queue(f"ckan:{site_id}:default", connection=redis)
    # At the front: the demo's setup leaves the worker a backlog (each
    # resource's validation), and the check asks whether it works, not how
    # long its queue is.
    job = queue.enqueue(
        "ckan.lib.jobs.test_job", "serve-check", job_timeout=60, at_front=True
    )
    if not wait_for(lambda: job.get_status(refresh=True) == "finished", 30):
        return [f"the test job is still {job.get_status(refresh=True)} after 30 s"]
    job.delete()
    return []


def check_harvest_queue(redis: Redis, key: str, field: str) -> list[str]:
    message = json.dumps({field: f"serve-check-{uuid.uuid4()}"})
    redis.rpush(key, message)
    taken = wait_for(lambda: message.encode() not in redis.lrange(key, 0, -1), 20)
    if not taken:
        redis.lrem(key, 0, message)
        return [f"nothing took the message off {key} in 20 s"]
    return []


def consumers_waiting(redis: Redis) -> int:
    """Connections blocked on a list (the harvest consumers wait on
    theirs)."""
    return sum(1 for client in redis.client_list() if client.get("cmd") == "blpop")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--ini", required=True)
    parser.add_argument("--fetch-consumers", type=int, default=1)
    args = parser.parse_args(argv)

    ini = configparser.ConfigParser(interpolation=None, strict=False)
    ini.read(args.ini)
    app = ini["app:main"]
    site_id = app.get("ckan.site_id", "default")
    redis = Redis.from_url(app["ckan.redis.url"])

    checks: dict[str, Callable[[], list[str]]] = {
        "web (uwsgi through nginx)": lambda: check_web(args.url.rstrip("/")),
        "jobs worker": lambda: check_jobs(redis, site_id),
        "harvest gather consumer": lambda: check_harvest_queue(
            redis, f"ckanext-harvest:{site_id}:harvest_job_id", "harvest_job_id"
        ),
        "harvest fetch consumers": lambda: check_harvest_queue(
            redis, f"ckanext-harvest:{site_id}:harvest_object_id", "harvest_object_id"
        ),
    }
    failed = 0
    for name, check in checks.items():
        try:
            problems = check()
        except (requests.RequestException, OSError) as error:
            problems = [str(error)]
        if problems:
            failed += 1
            print(f"[check] {name}: FAILED: {'; '.join(problems)}", flush=True)
        else:
            print(f"[check] {name}: answers", flush=True)
    # The gather consumer and each fetch consumer wait on their queue.
    expected = 1 + args.fetch_consumers
    if not wait_for(lambda: consumers_waiting(redis) >= expected, 20):
        failed += 1
        print(
            f"[check] harvest consumers waiting: {consumers_waiting(redis)}, "
            f"expected {expected}: FAILED",
            flush=True,
        )
    else:
        print(f"[check] harvest consumers waiting on their queues: {expected}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
