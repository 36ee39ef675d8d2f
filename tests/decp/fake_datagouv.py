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


@dataclass
class FakeDataGouv:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    url: str = ""

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
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.announce_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            body = route.body if route.cut_at is None else route.body[: route.cut_at]
            try:
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


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
