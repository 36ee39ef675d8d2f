"""Installation: the plugin is registered, the schemas ship inside the package,
and the installed dependencies are exactly the locked ones."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from ckan.tests import helpers

REPO = Path(__file__).resolve().parent.parent


def locked_versions() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            pins[match[1]] = match[2]
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_installed_dependencies_are_exactly_the_locked_versions():
    locked = locked_versions()

    assert locked["ckan"] == "2.11.6"
    assert locked["ckanext-scheming"] == "3.1.0"
    assert locked["ckanext-harvest"] == "1.6.3"
    assert locked["ckanext-dcat"] == "2.4.4"
    mismatched = {
        name: (version, metadata.version(name))
        for name, version in locked.items()
        if metadata.version(name) != version
    }
    assert not mismatched


def test_every_dependency_of_the_extension_is_locked():
    requirements = metadata.requires("ckanext-opendata-territoire") or []
    names = {
        normalise(re.split(r"[\s\[=<>;!~]", requirement, maxsplit=1)[0])
        for requirement in requirements
    }
    locked = {normalise(name) for name in locked_versions()}

    assert names <= locked


def test_plugin_entry_point_is_registered():
    entry_points = metadata.entry_points(group="ckan.plugins")

    assert "opendata_territoire" in {entry_point.name for entry_point in entry_points}


@pytest.mark.usefixtures("clean_db")
def test_scheming_loads_the_schemas_shipped_in_the_package():
    dataset = helpers.call_action("scheming_dataset_schema_show", type="dataset")
    organization = helpers.call_action(
        "scheming_organization_schema_show", type="organization"
    )

    assert dataset["dataset_type"] == "dataset"
    assert organization["organization_type"] == "organization"
