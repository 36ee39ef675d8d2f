"""A local HTTP server that answers like data.gouv.fr (the dataset API with
its pages, the resource files) and can fail like a real server: an HTTP
error, an answer that never comes, a body cut short."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    delay: float = 0.0  # seconds before answering
    cut_at: int | None = None  # send only these bytes, the whole length announced
    announce_length: bool = True
    busy: int = 0  # answer 503 (a busy server) this many times first
    # answer only once this is set (a download in progress, held by the test)
    gate: threading.Event | None = None
    # answer "Range: bytes=..." with 206 and the part asked, as data.gouv.fr's
    # file storage does; False: ignore it and send the whole file (200)
    ranges: bool = True
    etag: str = '"v1"'


@dataclass
class FakeDataGouv:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    url: str = ""
    # Bytes of file bodies sent, by path (ranges included).
    sent: dict[str, int] = field(default_factory=dict)
    ranges_asked: list[str] = field(default_factory=list)

    def json(self, path: str, data: Any, status: int = 200) -> None:
        self.routes[path] = Route(json.dumps(data).encode(), status)

    def file(self, path: str, body: bytes, **kw: Any) -> None:
        self.routes[path] = Route(body, content_type="application/octet-stream", **kw)

    def resource(self, rid: str, title: str, body: bytes, fmt: str = "json") -> dict:
        """A resource of the dataset API, whose file this server serves."""
        path = f"/files/{title}"
        self.file(path, body)
        return {
            "id": rid,
            "title": title,
            "format": fmt,
            "url": self.url + path,
            "latest": self.url + f"/api/1/datasets/r/{rid}",
            "checksum": {"type": "sha1", "value": hashlib.sha1(body).hexdigest()},
            "filesize": len(body),
            "last_modified": "2024-06-01T08:00:00",
        }

    def serve_latest(self, resource: dict) -> None:
        """The resource's ``latest`` URL serves the same file as its url."""
        path = resource["url"][len(self.url) :]
        self.routes[resource["latest"][len(self.url) :]] = self.routes[path]

    def dataset(self, slug: str, pages: list[list[dict]]) -> None:
        """The API v2 pages of the dataset's resources."""
        for number, page in enumerate(pages, start=1):
            pages_path = f"/api/2/datasets/{slug}/resources/"
            path = f"{pages_path}?page={number}&page_size=50"
            following = (
                f"{self.url}{pages_path}?page={number + 1}&page_size=50"
                if number < len(pages)
                else None
            )
            self.json(
                path,
                {
                    "data": page,
                    "page": number,
                    "page_size": 50,
                    "total": sum(len(p) for p in pages),
                    "next_page": following,
                    "previous_page": None,
                },
            )
            for resource in page:
                if resource.get("latest", "").startswith(self.url):
                    self.serve_latest(resource)

    def files_requested(self) -> list[str]:
        """The file downloads asked for (not the API's pages)."""
        return [
            p for p in self.requests if p.startswith("/files/") or "/datasets/r/" in p
        ]


def _handler(fake: FakeDataGouv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            route = fake.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.busy > 0:
                route.busy -= 1
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            if route.gate is not None:
                route.gate.wait(timeout=120)
            asked = _range(self.headers.get("Range"), len(route.body))
            if asked is not None:
                fake.ranges_asked.append(self.path)
            if asked is not None and route.ranges and route.status == 200:
                start, end = asked
                self.send_response(206)
                self.send_header("Content-Type", route.content_type)
                self.send_header(
                    "Content-Range", f"bytes {start}-{end}/{len(route.body)}"
                )
                self.send_header("ETag", route.etag)
                self.send_header("Content-Length", str(end + 1 - start))
                self.end_headers()
                body = route.body[start : end + 1]
            else:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("ETag", route.etag)
                if route.announce_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                body = (
                    route.body if route.cut_at is None else route.body[: route.cut_at]
                )
            fake.sent[self.path] = fake.sent.get(self.path, 0) + len(body)
            try:
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``Range: bytes=`` header, clipped to
    the file; None when there is none."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes=") :].partition("-")
    if not first:
        start = max(0, size - int(last))
        return start, size - 1
    return int(first), min(size - 1, int(last)) if last else size - 1


class Server:
    def __init__(self) -> None:
        self.fake = FakeDataGouv()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.httpd.daemon_threads = True
        self.fake.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeDataGouv:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
