"""Fixtures shared by the whole suite.

Every test runs against the project's real PostgreSQL, Solr and Redis (see
test.ini); nothing of CKAN, the database, Solr or Redis is mocked.
"""

from __future__ import annotations

import pytest

from tests.people import territory  # noqa: F401 (a fixture for every test)


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db only rebuilds the core tables: the plugins' tables
    (harvest, activity, ours) need their own migrations after the reset."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
    migrate_db_for("opendata_territoire")


@pytest.fixture(autouse=True)
def _plugins_loaded(with_plugins):
    """CKAN's pytest plugin unloads every plugin before the tests: load the ones
    of test.ini for each test, as the portal runs with them."""
