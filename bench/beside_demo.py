"""`make test` run beside a served `make demo`: the demo must keep answering
and keep its workers, and a worker killed by hand must come back.

    .dev/venv/bin/python bench/beside_demo.py [--no-demo] [--test-args ...]

1. Starts the demo (dev/demo.sh, its log in .dev/logs/beside-demo.log) unless
   --no-demo says one already runs, and waits until its home page answers.
2. While the whole suite runs (dev/test.sh, as `make test`), asks the demo
   every second for its home page and for `package_search`, and records
   every answer that is not a 200 (or no answer).
3. Then checks that each of the demo's workers (jobs, harvest gather and
   fetch, the harvest schedule) is alive, kills the fetch worker with
   SIGKILL and measures how long until a new one runs (dev/supervise.sh).

Prints the figures (and exits 1 if the demo failed once, a worker was dead,
or the killed worker was not back within a minute); bench/RESULTS.md
records them.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEV = Path(os.environ.get("DEV_DIR", REPO / ".dev"))
WORKERS = DEV / "run" / "workers"
PORT = int(os.environ.get("DEMO_PORT", "5000"))
BASE = f"http://127.0.0.1:{PORT}"
PAGES = ("/", "/api/3/action/package_search?rows=1")
WORKER_NAMES = ("jobs-worker", "harvest-gather", "harvest-fetch", "harvest-schedule")


def say(message: str) -> None:
    print(f"[beside_demo] {message}", file=sys.stderr, flush=True)


def status(path: str) -> int | str:
    try:
        with urllib.request.urlopen(BASE + path, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, urllib.error.URLError) as error:
        return type(error).__name__


def wait_for_demo(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if status("/") == 200:
            return True
        time.sleep(2)
    return False


class Poller(threading.Thread):
    """Asks the demo for its pages every second until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopped = threading.Event()
        self.asked = 0
        self.failures: list[tuple[float, str, int | str]] = []
        self.started = time.monotonic()

    def run(self) -> None:
        while not self.stopped.is_set():
            for path in PAGES:
                answer = status(path)
                self.asked += 1
                if answer != 200:
                    self.failures.append(
                        (time.monotonic() - self.started, path, answer)
                    )
            self.stopped.wait(1)


def pid_of(path: Path) -> int | None:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def workers() -> dict[str, bool]:
    return {name: alive(pid_of(WORKERS / f"{name}.child")) for name in WORKER_NAMES}


def kill_and_time(name: str, limit: float = 60.0) -> float | None:
    """Seconds until a new worker runs after the current one is killed."""
    killed = pid_of(WORKERS / f"{name}.child")
    if killed is None:
        return None
    os.kill(killed, signal.SIGKILL)
    started = time.monotonic()
    while time.monotonic() - started < limit:
        current = pid_of(WORKERS / f"{name}.child")
        if current not in (None, killed) and alive(current):
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-demo", action="store_true", help="a demo already runs")
    parser.add_argument(
        "--test-args", nargs=argparse.REMAINDER, default=[], help="for dev/test.sh"
    )
    args = parser.parse_args()

    (DEV / "logs").mkdir(parents=True, exist_ok=True)
    demo = None
    if not args.no_demo:
        say(f"starting the demo (log: {DEV / 'logs' / 'beside-demo.log'})")
        log = open(DEV / "logs" / "beside-demo.log", "ab")  # noqa: SIM115
        demo = subprocess.Popen(
            ["bash", str(REPO / "dev" / "demo.sh")],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    if not wait_for_demo(600):
        say(f"the demo does not answer on {BASE}")
        return 1
    time.sleep(5)  # its workers start after the portal
    say(f"demo answering on {BASE}; workers: {workers()}")

    poller = Poller()
    poller.start()
    test_log = DEV / "logs" / "beside-test.log"
    say(f"running the whole suite beside it (dev/test.sh, log: {test_log})")
    started = time.monotonic()
    with open(test_log, "wb") as output:
        suite = subprocess.run(
            ["bash", str(REPO / "dev" / "test.sh"), *args.test_args],
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    suite_seconds = time.monotonic() - started
    poller.stopped.set()
    poller.join()

    alive_after = workers()
    back_after = kill_and_time("harvest-fetch")

    print(f"suite: exit {suite.returncode} in {suite_seconds:.0f} s")
    print(f"demo asked {poller.asked} times (home page and package_search)")
    print(f"answers other than 200: {len(poller.failures)}")
    for at, path, answer in poller.failures[:10]:
        print(f"  at {at:.0f} s: {path} -> {answer}")
    print(f"workers alive after the suite: {alive_after}")
    print(
        "killed harvest-fetch back after: "
        + ("not within 60 s" if back_after is None else f"{back_after:.1f} s")
    )

    if demo is not None:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=60)
    ok = (
        not poller.failures
        and all(alive_after.values())
        and back_after is not None
        and back_after < 60
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
