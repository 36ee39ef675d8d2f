"""A local HTTP server answering like the SIRENE search service
(recherche-entreprises.api.gouv.fr, ``/search?q=<siret>&page=<n>``) from the
fixture files of fixtures/sirene (``<siret>.json`` for the first page,
``<siret>-page<n>.json`` for the next ones; no file: HTTP 404), and failing
on demand (HTTP 429 with Retry-After, HTTP 500)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sirene"


@dataclass
class FakeSirene:
    url: str = ""
    # SIRET -> statuses answered before the fixture (e.g. [429, 429] or [500]).
    failures: dict[str, list[int]] = field(default_factory=dict)
    requests: list[tuple[str, int]] = field(default_factory=list)  # (q, page)


def _handler(fake: FakeSirene) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query)
            q = query.get("q", [""])[0]
            page = int(query.get("page", ["1"])[0])
            fake.requests.append((q, page))
            if parsed.path != "/search":
                return self._send(404, b'{"erreur": "not found"}', {})
            pending = fake.failures.get(q)
            if pending:
                status = pending.pop(0)
                headers = {"Retry-After": "0"} if status == 429 else {}
                return self._send(status, b'{"erreur": "failure"}', headers)
            name = f"{q}.json" if page == 1 else f"{q}-page{page}.json"
            path = FIXTURES / name
            if not path.exists():
                return self._send(404, b'{"erreur": "Aucun resultat"}', {})
            return self._send(200, path.read_bytes(), {})

    return Handler


def start() -> tuple[FakeSirene, ThreadingHTTPServer]:
    fake = FakeSirene()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
