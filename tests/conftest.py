"""Fixtures shared by the whole suite.

Every test runs against the project's real PostgreSQL, Solr and Redis (see
test.ini); nothing of CKAN, the database, Solr or Redis is mocked.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ckan import plugins
from ckan.tests import helpers as test_helpers
from werkzeug.serving import make_server

from tests.people import territory  # noqa: F401 (a fixture for every test)


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db only rebuilds the core tables: the plugins' tables
    (harvest, activity, ours) need their own migrations after the reset."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
    migrate_db_for("opendata_territoire")


# Loading the plugins (and building a Flask app, which loads them again)
# costs about a second: CKAN's own fixtures do both for every test. The suite
# loads them once and shares one app; a test that changes the configuration
# with a ``ckan_config`` mark, or serves the portal live, gets its own
# plugins and app, and the next test loads the plugins again.
_shared: dict[str, Any] = {"app": None, "dirty": False}


def _own_app(request: pytest.FixtureRequest) -> bool:
    return (
        any(request.node.iter_markers("ckan_config"))
        or "live_server" in request.fixturenames
    )


@pytest.fixture(scope="session")
def _plugins_once() -> Iterator[None]:
    """Builds the shared app (which loads the plugins) from test.ini as it
    is, before any test changes the configuration."""
    _shared["app"] = test_helpers._get_test_app()
    yield
    plugins.unload_non_system_plugins()


@pytest.fixture(autouse=True)
def _plugins_loaded(request: pytest.FixtureRequest, _plugins_once: None):
    """The plugins of test.ini, loaded as the portal runs with them (CKAN's
    pytest plugin unloads them before the tests), with this test's
    configuration."""
    own = _own_app(request)
    if own:
        request.getfixturevalue("ckan_config")
    if own or _shared["dirty"]:
        plugins.load_all()
    _shared["dirty"] = own
    yield


@pytest.fixture
def app(request: pytest.FixtureRequest, make_app: Callable[[], Any]) -> Any:
    """CKAN's test app (its client opens a new session for each request, so
    sharing it between tests shares no cookie)."""
    if _own_app(request):
        return make_app()
    return _shared["app"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(ckan_config, monkeypatch, request) -> Iterator[str]:
    """The portal served over HTTP on a free port, its site URL set to that
    address (download links and API addresses on the pages point to it):
    the browser tests and data.gouv.fr's harvesters (tests/udata) use it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    monkeypatch.setitem(ckan_config, "ckan.site_url", base_url)
    app = request.getfixturevalue("app")
    server = make_server("127.0.0.1", port, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
