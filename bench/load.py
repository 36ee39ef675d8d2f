"""Load test of the portal's API and main pages on loopback.

    .dev/venv/bin/python bench/load.py [--base-url http://127.0.0.1:5000]
        [--clients 8] [--duration 30] [--max-requests N] [--json]

Concurrent clients (threads, one keep-alive HTTP session each) request, in
turn, the pages and API calls a visitor and a reuser make: the home page, the
dataset search page with a facet, a dataset page, `package_search`,
`package_show`, `territoire_territory_show`, the procurement observatory
(`territoire_procurement_stats` by year, `territoire_procurement_gaps`, the
`/observatory` page), `datastore_search` (when a DataStore resource
exists) and any extra path given with `--path`. The run is bounded in time
(`--duration`) and, if given, in requests (`--max-requests`).

It prints, per kind of request and overall: requests, throughput, latency
p50/p95/p99 and errors (an HTTP status of 400 or more, or no answer). Exit
code 1 when there was any error.

Side by side (`make serve` against the development server, say):

    .dev/venv/bin/python bench/load.py --clients 16 --duration 60 \
        --compare "make serve=http://127.0.0.1:5000" \
        --compare "development server=http://127.0.0.1:5001"

runs the same load against each portal in turn (one after the other: on
one machine, at the same time they would share the cores), prints each
report, then one table: requests/s, overall and dataset page p95, errors,
and each portal's throughput against the last one's.

The test suite runs it briefly against a live server (tests/test_load.py);
the full run is a benchmark recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests


@dataclass
class Target:
    kind: str
    path: str


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def discover_targets(base_url: str, extra: Iterable[str] = ()) -> list[Target]:
    """The requests of the run, with a real dataset and DataStore resource of
    the portal when it has them."""
    api = f"{base_url}/api/3/action"
    found = requests.get(
        f"{api}/package_search", params={"rows": 50}, timeout=30
    ).json()["result"]["results"]
    targets = [
        Target("home page", "/"),
        Target("search page", "/dataset/?q=&sort=score+desc"),
        Target("api package_search", "/api/3/action/package_search?q=*:*&rows=20"),
        Target("api territory_show", "/api/3/action/territoire_territory_show"),
        Target(
            "api procurement_stats",
            "/api/3/action/territoire_procurement_stats?group_by=year",
        ),
        Target("api procurement_gaps", "/api/3/action/territoire_procurement_gaps"),
        Target("observatory page", "/observatory"),
    ]
    if found:
        name = found[0]["name"]
        targets += [
            Target("dataset page", f"/dataset/{name}"),
            Target("api package_show", f"/api/3/action/package_show?id={name}"),
        ]
        theme_search = "/dataset/?q=&vocab_territoire_theme=GOVE"
        targets.append(Target("search page with facet", theme_search))
    for dataset in found:
        active = [r for r in dataset["resources"] if r.get("datastore_active")]
        if active:
            targets.append(
                Target(
                    "api datastore_search",
                    f"/api/3/action/datastore_search?resource_id={active[0]['id']}"
                    "&limit=20",
                )
            )
            break
    targets += [Target(f"extra {path}", path) for path in extra]
    return targets


def run(
    base_url: str,
    clients: int = 8,
    duration: float = 30.0,
    max_requests: int | None = None,
    extra_paths: Iterable[str] = (),
) -> dict[str, Any]:
    """Run the load and return the figures (see format_report)."""
    base_url = base_url.rstrip("/")
    targets = discover_targets(base_url, extra_paths)
    tallies = {target.kind: Tally() for target in targets}
    lock = threading.Lock()
    sent = 0
    deadline = time.monotonic() + duration

    def next_turn() -> int | None:
        nonlocal sent
        with lock:
            if max_requests is not None and sent >= max_requests:
                return None
            if time.monotonic() >= deadline:
                return None
            sent += 1
            return sent

    def client() -> None:
        session = requests.Session()
        while (turn := next_turn()) is not None:
            # Turns are numbered across the clients: the kinds come in turn
            # whichever client is free, each as often as the others.
            target = targets[turn % len(targets)]
            started = time.perf_counter()
            try:
                response = session.get(base_url + target.path, timeout=60)
                error = (
                    f"HTTP {response.status_code}"
                    if response.status_code >= 400
                    else None
                )
            except requests.RequestException as exc:
                error = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                tally = tallies[target.kind]
                tally.latencies.append(elapsed)
                if error:
                    tally.errors.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started

    def figures(latencies: list[float], errors: list[str]) -> dict[str, Any]:
        return {
            "requests": len(latencies),
            "per_second": round(len(latencies) / wall, 1) if wall else 0.0,
            "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
            "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
            "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1)
            if latencies
            else 0.0,
            "errors": len(errors),
            "error_kinds": sorted(set(errors)),
        }

    all_latencies = [x for t in tallies.values() for x in t.latencies]
    all_errors = [e for t in tallies.values() for e in t.errors]
    return {
        "base_url": base_url,
        "clients": clients,
        "wall_seconds": round(wall, 1),
        "kinds": {kind: figures(t.latencies, t.errors) for kind, t in tallies.items()},
        "overall": figures(all_latencies, all_errors),
    }


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"{result['clients']} clients, {result['wall_seconds']} s against "
        f"{result['base_url']}",
        "",
        f"| {'request':<26} | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = [*result["kinds"].items(), ("overall", result["overall"])]
    for kind, f in rows:
        lines.append(
            f"| {kind:<26} | {f['requests']} | {f['per_second']} | {f['p50_ms']} "
            f"| {f['p95_ms']} | {f['p99_ms']} | {f['errors']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds")
    parser.add_argument("--max-requests", type=int)
    parser.add_argument("--path", action="append", default=[], help="extra path")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="a portal of a side-by-side run (repeat: the last is the reference)",
    )
    args = parser.parse_args(argv)
    if args.compare:
        portals = [item.split("=", 1) for item in args.compare]
        results = {}
        for name, url in portals:
            print(f"[load] {name}: {url}", file=sys.stderr, flush=True)
            results[name] = run(
                url, args.clients, args.duration, args.max_requests, args.path
            )
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            for name, result in results.items():
                print(f"\n### {name}\n\n{format_report(result)}")
            print("\n" + format_comparison(results))
        return 1 if any(r["overall"]["errors"] for r in results.values()) else 0
    result = run(
        args.base_url, args.clients, args.duration, args.max_requests, args.path
    )
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 1 if result["overall"]["errors"] else 0


def format_comparison(results: dict[str, dict[str, Any]]) -> str:
    """One line a portal; the throughput against the last portal's."""
    reference = list(results.values())[-1]["overall"]["per_second"] or 1.0
    lines = [
        "| portal | req/s | x last | p95 ms | dataset page p95 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in results.items():
        overall = result["overall"]
        page = result["kinds"].get("dataset page", {}).get("p95_ms", "")
        lines.append(
            f"| {name} | {overall['per_second']} | "
            f"{overall['per_second'] / reference:.1f} | {overall['p95_ms']} | "
            f"{page} | {overall['errors']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
