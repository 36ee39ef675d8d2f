"""For the tests of the plain library (decp/ without CKAN)."""

from __future__ import annotations

import pytest


@pytest.fixture(name="_plugins_loaded")
def _library_only():
    """Overrides the suite's fixture that loads CKAN's plugins for every test:
    a test module that imports it says that it needs no CKAN."""
