"""Fixtures shared by the whole suite.

Every test runs against the project's real PostgreSQL, Solr and Redis (see
test.ini); nothing of CKAN, the database, Solr or Redis is mocked.
"""

from __future__ import annotations

import configparser
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import plugins
from ckan.tests import helpers as test_helpers
from werkzeug.serving import make_server

from tests import snapshots
from tests.people import (  # noqa: F401 (fixtures for every test)
    module_territory,
    territory,
)

REPO = Path(__file__).resolve().parent.parent
# The services each pytest-xdist worker gets of its own, as CKAN's
# environment variables (read when CKAN loads its configuration, at the
# start of the session, and inherited by the `ckan` commands tests run).
WORKER_ENV = (
    "CKAN_SQLALCHEMY_URL",
    "CKAN_DATASTORE_WRITE_URL",
    "CKAN_DATASTORE_READ_URL",
    "CKAN_REDIS_URL",
    "CKAN_SITE_ID",
    "CKAN_STORAGE_PATH",
)


def worker_number(worker: str) -> int:
    """0 for gw0, 1 for gw1..."""
    return int(re.sub(r"\D", "", worker) or 0)


def worker_environment(worker: str, base: dict[str, str], ini: Path) -> dict[str, str]:
    """What pytest-xdist's worker ``worker`` (gw0, gw1...) uses instead of
    the session's services: its own databases (``ckan_test_gw0``,
    ``datastore_test_gw0``, copies that dev/test.sh makes), Redis database,
    CKAN ``site_id`` (its own documents in the shared Solr core, its own
    queues and keys in Redis) and storage folder. ``base`` holds the
    session's values (dev/test.sh exports them; else test.ini's)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(ini)
    app = parser["app:main"]
    defaults = {
        "CKAN_SQLALCHEMY_URL": app["sqlalchemy.url"],
        "CKAN_DATASTORE_WRITE_URL": app["ckan.datastore.write_url"],
        "CKAN_DATASTORE_READ_URL": app["ckan.datastore.read_url"],
        "CKAN_REDIS_URL": app["ckan.redis.url"],
        "CKAN_SITE_ID": app["ckan.site_id"],
        "CKAN_STORAGE_PATH": str(REPO / ".dev" / "storage-test"),
    }
    values = {key: base.get(key) or defaults[key] for key in WORKER_ENV}
    number = worker_number(worker)
    for key in (
        "CKAN_SQLALCHEMY_URL",
        "CKAN_DATASTORE_WRITE_URL",
        "CKAN_DATASTORE_READ_URL",
    ):
        values[key] = re.sub(r"/([^/?]+)(\?|$)", rf"/\1_{worker}\2", values[key])
    redis_base, _, database = values["CKAN_REDIS_URL"].rpartition("/")
    values["CKAN_REDIS_URL"] = f"{redis_base}/{int(database or 0) + 1 + number}"
    values["CKAN_SITE_ID"] = f"{values['CKAN_SITE_ID']}-{worker}"
    values["CKAN_STORAGE_PATH"] = f"{values['CKAN_STORAGE_PATH']}-{worker}"
    return values


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """The fault tests (marked ``faults``) stop and kill PostgreSQL and
    Redis: they run only on the private instances dev/test.sh starts for them
    (``TERRITOIRE_PRIVATE_SERVICES``), never on the services of the demo or
    of a developer; elsewhere they are deselected, and said so."""
    if os.environ.get("TERRITOIRE_PRIVATE_SERVICES"):
        return
    faults = [item for item in items if item.get_closest_marker("faults")]
    if not faults:
        return
    config.hook.pytest_deselected(items=faults)
    items[:] = [item for item in items if not item.get_closest_marker("faults")]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"{len(faults)} fault tests deselected: they stop PostgreSQL and "
            "Redis, and run on private instances: dev/test.sh --faults",
            yellow=True,
        )


@pytest.fixture(scope="session")
def private_services() -> str:
    """The private services of the fault tests: what dev/services.sh will
    stop is the PostgreSQL and Redis this session's CKAN uses, and they are
    not the project's usual ones."""
    folder = os.environ.get("TERRITOIRE_PRIVATE_SERVICES", "")
    assert folder and os.environ.get("DEV_DIR") == folder, (
        "the fault tests stop PostgreSQL and Redis: run them through "
        "dev/test.sh (--faults), which starts private instances for them"
    )
    assert Path(folder).resolve() != (REPO / ".dev").resolve()
    port = os.environ["PG_PORT"]
    assert f":{port}/" in os.environ["CKAN_SQLALCHEMY_URL"]
    assert f":{os.environ['REDIS_PORT']}/" in os.environ["CKAN_REDIS_URL"]
    return folder


def pytest_configure(config: pytest.Config) -> None:
    """In a pytest-xdist worker, before CKAN loads its configuration (at the
    session's start), point it at the worker's own services."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return
    ini = Path(config.getoption("ckan_ini") or REPO / "test.ini")
    os.environ.update(
        worker_environment(workerinput["workerid"], dict(os.environ), ini)
    )


def rebuild_database() -> None:
    """CKAN's reset of its database (its tables dropped and migrated again
    the first time in a process, emptied later), then the plugins'
    migrations: CKAN's reset only rebuilds the core tables, the plugins'
    (harvest, activity, ours) need their own. The model keeps its pooled
    engine."""
    from ckan import model
    from ckan.cli.db import _run_migrations

    engine = model.meta.engine
    test_helpers.reset_db()
    for plugin in ("activity", "harvest", "opendata_territoire"):
        _run_migrations(plugin, "head", True)
    # CKAN's migrations bind the model to their own engine, without a pool
    # (ckan/migration/env.py): every query after them opened a connection
    # of its own (three per request, 8 ms each). The pooled engine back.
    model.init_model(engine)


def empty_catalogue(datastore: bool = False) -> None:
    """The database emptied and at its migrations' head, the search index
    of this session's site emptied, and with ``datastore`` the DataStore
    too: what clean_db (and clean_datastore) do, for a fixture of any
    scope. The database is rebuilt once per process, then put back to that
    empty state (tests/snapshots.py)."""
    from ckan.lib import search

    # Faker's unique names are never forgotten in a process: the snapshots
    # put back users made earlier (the test territory's people), and a name
    # given again after a clear was refused as taken.
    empty = snapshots.states.get("empty")
    try:
        if empty is None:
            raise LookupError("no empty state yet")
        empty.restore()
    except (LookupError, sa.exc.SQLAlchemyError):
        rebuild_database()
        snapshots.states.clear()
        snapshots.states["empty"] = snapshots.Snapshot.take()
    search.clear_all()
    if datastore:
        from ckanext.datastore.tests import helpers as datastore_helpers

        engine = datastore_helpers.db.get_write_engine()
        datastore_helpers.rebuild_all_dbs(
            datastore_helpers.orm.scoped_session(
                datastore_helpers.orm.sessionmaker(bind=engine)
            )
        )


@pytest.fixture
def clean_db():
    empty_catalogue()


@pytest.fixture
def clean_datastore():
    """The catalogue, the search index and the DataStore, emptied."""
    empty_catalogue(datastore=True)


@pytest.fixture(scope="module")
def module_catalogue(_plugins_once: None) -> None:
    """For a module whose tests only read what a module fixture puts in the
    catalogue once (the observatory's seeded territory, the catalogue
    data.gouv.fr harvests): the database, the DataStore and the search index
    emptied once for the module, not before each test. Its tests must not
    use clean_db (nor a function-scoped ``territory``), and a test that
    writes belongs in another module, or puts back what it changed."""
    if _shared["dirty"]:
        plugins.load_all()
        _shared["dirty"] = False
    empty_catalogue(datastore=True)


def shared_request_context() -> Any:
    """A request context of the shared app, for module fixtures that call
    CKAN code needing one (url_for in CLI commands)."""
    return _shared["app"].flask_app.test_request_context()


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


def _reuse_the_app(self: Any, conf: str | None = None) -> None:
    from ckan.common import config

    self.app = _shared["app"].app
    self.config = config


def cli_runner(patch: pytest.MonkeyPatch) -> Any:
    """CKAN's CLI runner, whose commands run in the app this process already
    has, with the configuration of the test: CKAN's would load the
    configuration and build one more app for each command (a second each,
    and the plugins loaded again)."""
    from ckan.cli import cli as ckan_cli
    from ckan.common import config

    patch.setattr(ckan_cli.CtxObject, "__init__", _reuse_the_app)
    return test_helpers.CKANCliRunner(env={"CKAN_INI": config["__file__"]})


@pytest.fixture
def cli(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    return cli_runner(monkeypatch)


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
    the browser tests and data.gouv.fr's harvesters (tests/datagouv) use it.
    The scripts' translations are built first, as `ckan run` builds them."""
    from ckan.lib.i18n import build_js_translations

    build_js_translations()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    monkeypatch.setitem(ckan_config, "ckan.site_url", base_url)
    app = request.getfixturevalue("app")
    server = make_server("127.0.0.1", port, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
