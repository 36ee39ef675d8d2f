"""Benchmark of the tabular DECP consolidation reader (decp/tabular.py) on a
national Parquet file, from the disk and from an HTTP server by byte ranges.

    .dev/venv/bin/python bench/decp_tabular.py [--contracts 1500000]
        [--file PATH] [--keep] [--json]

1. Makes a national Parquet file of the consolidation's layout with the
   project's generator (``TabularGenerator``: 58 typed columns, sorted by
   uid as decp-processing sorts it, row groups of 100,000 rows, 0.2 % of
   the contracts bought by the CCMV's seven bodies, 5 % dirty) under /tmp,
   or reads --file; deleted at the end unless --keep.
2. Reads it for the CCMV, each way in its own process so that its peak RSS
   (VmHWM) is its own: from the local file (``decp.read_contracts``), and
   from a local HTTP server that answers ``Range`` (served from the disk by
   the parent process) through the harvester's ``RangedFile``. The kept
   contracts are checked against the generator's figures; the bytes read
   (local) or fetched (HTTP) and the requests are counted.

``bench/decp_stream.py`` runs this after the JSON figures (``--tabular``).
Prints a table (or JSON with --json); bench/RESULTS.md records the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Counting(io.RawIOBase):
    """A local file that counts the bytes read from it."""

    def __init__(self, path: str) -> None:
        self.inner = open(path, "rb")  # noqa: SIM115 (closed by close())
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer: Any) -> int:
        got = self.inner.readinto(buffer)
        self.read_bytes += got or 0
        return got or 0

    def close(self) -> None:
        self.inner.close()
        super().close()


def _ccmv() -> Any:
    from ckanext.opendata_territoire import decp
    from ckanext.opendata_territoire.decp.generator import CCMV

    return decp.BuyerFilter.of(siren for siren, _name, _insee in CCMV)


def child(way: str, target: str) -> dict[str, Any]:
    """One reading, in this process: 'local' (a path) or 'http' (a URL)."""
    from ckanext.opendata_territoire import decp

    started = time.perf_counter()
    report = decp.Report()
    if way == "local":
        source: Any = _Counting(target)
    else:
        import requests

        from ckanext.opendata_territoire.datagouv.client import RangedFile

        source = RangedFile(requests.Session(), target, 60)
    contracts = list(decp.read_contracts(source, _ccmv(), report))
    seconds = time.perf_counter() - started
    by_buyer: dict[str, int] = {}
    amounts: dict[str, float] = {}
    for contract in contracts:
        by_buyer[contract.buyer_siret] = by_buyer.get(contract.buyer_siret, 0) + 1
        amounts[contract.buyer_siret] = round(
            amounts.get(contract.buyer_siret, 0.0) + (contract.montant or 0.0), 2
        )
    return {
        "way": way,
        "seconds": round(seconds, 2),
        "kept": len(contracts),
        "rows_read": report.read,
        "by_buyer": by_buyer,
        "amounts": amounts,
        "bytes": source.read_bytes if way == "local" else source.fetched,
        "requests": None if way == "local" else source.requests,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _run_child(way: str, target: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", way, target],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


class _RangeHandler(BaseHTTPRequestHandler):
    path_on_disk = ""

    def do_GET(self) -> None:
        size = os.path.getsize(self.path_on_disk)
        header = self.headers.get("Range", "")
        start, end = 0, size - 1
        if header.startswith("bytes="):
            first, _, last = header[6:].partition("-")
            if not first:
                start = max(0, size - int(last))
            else:
                start, end = int(first), min(size - 1, int(last)) if last else size - 1
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(200)
        self.send_header("ETag", '"bench"')
        self.send_header("Content-Length", str(end + 1 - start))
        self.end_headers()
        with open(self.path_on_disk, "rb") as f:
            f.seek(start)
            remaining = end + 1 - start
            while remaining:
                chunk = f.read(min(remaining, 1 << 20))
                self.wfile.write(chunk)
                remaining -= len(chunk)

    def log_message(self, *args: Any) -> None:
        pass


def run(path: str, truth: dict[str, Any] | None) -> list[dict[str, Any]]:
    size = os.path.getsize(path)
    results = [_run_child("local", path)]
    _RangeHandler.path_on_disk = path
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/decp.parquet"
        results.append(_run_child("http", url))
    finally:
        server.shutdown()
        server.server_close()
    for result in results:
        result["file_mb"] = round(size / 1e6, 1)
        result["share_read"] = round(result["bytes"] / size, 4)
        if truth is not None:
            result["counts_right"] = (
                result["by_buyer"] == truth["territory_by_buyer"]
                and result["amounts"] == truth["territory_amount_by_buyer"]
            )
    return results


def generate(path: str, contracts: int) -> dict[str, Any]:
    from ckanext.opendata_territoire.decp.generator import TabularGenerator

    started = time.perf_counter()
    truth = TabularGenerator(
        "tabular-parquet", seed=20, dirty=0.05, territory_share=0.002
    ).write_file(path, contracts)
    result = truth.as_dict()
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| reading | contracts kept | right | wall s | bytes read | share of the "
        "file | requests | peak RSS |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['way']} | {r['kept']:,} | {r.get('counts_right', '?')} | "
            f"{r['seconds']} | {r['bytes'] / 1e6:,.1f} MB of {r['file_mb']:,} MB | "
            f"{100 * r['share_read']:.1f} % | {r['requests'] or '—'} | "
            f"{r['peak_rss_mb']:,} MB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=1_500_000)
    parser.add_argument("--file", help="an existing Parquet file of the layout")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    folder = tempfile.mkdtemp(prefix="decp-tabular-", dir="/tmp")
    path = args.file or os.path.join(folder, "decp.parquet")
    truth = None
    try:
        if not args.file:
            print(
                f"generating {args.contracts:,} contracts into {path}...",
                file=sys.stderr,
            )
            truth = generate(path, args.contracts)
            print(
                f"  {truth['rows']:,} rows, {truth['bytes'] / 1e6:,.1f} MB, "
                f"{truth['territory_contracts']:,} CCMV contracts, "
                f"{truth['seconds']} s",
                file=sys.stderr,
            )
        results = run(path, truth)
    finally:
        if not args.keep and not args.file:
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))
            os.rmdir(folder)
    if args.json:
        print(json.dumps({"generated": truth, "results": results}, indent=1))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
