"""A short run of the load test (bench/load.py) against a live HTTP server of
the portal: concurrent clients on the main pages and API calls, no error.
Its full run, with figures, is a benchmark (bench/RESULTS.md)."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import pytest
from ckan.tests import factories
from werkzeug.serving import make_server

from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

LOAD = Path(__file__).parents[1] / "bench" / "load.py"


def load_module():
    spec = importlib.util.spec_from_file_location("bench_load", LOAD)
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_concurrent_clients_get_no_error(live_server, territory):
    for number in range(3):
        dataset = factories.Dataset(
            owner_org=territory["a"]["id"],
            title=f"Délibérations {number}",
            theme=["GOVE"],
            **dataset_fields(),
        )
    factories.Resource(package_id=dataset["id"], url="https://example.org/d.csv")

    result = load_module().run(live_server, clients=4, duration=60, max_requests=60)

    assert result["overall"]["requests"] == 60
    assert result["overall"]["errors"] == 0, result["kinds"]
    assert set(result["kinds"]) >= {
        "home page",
        "search page",
        "search page with facet",
        "dataset page",
        "api package_search",
        "api package_show",
        "api territory_show",
    }
    assert all(f["requests"] > 0 for f in result["kinds"].values())
