"""Faults during an import: the process killed while it publishes (a worker
killed by the OOM killer or an operator) leaves the catalogue consistent, and
the next run completes it: every contract once, nothing published lost.

The import command runs as its own process on the test database, with the
sample file the demo ships (512 contracts of the CCMV's bodies; the test
territory has three of them: Engins, Villard-de-Lans and the EPCI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from tests.decp.test_import import dataset_of
from tests.decp.test_sample import SAMPLE

pytestmark = pytest.mark.usefixtures("clean_datastore", "with_request_context")

CKAN = Path(sys.executable).parent / "ckan"
# Contracts of each buyer in the sample, as the generator printed them.
EXPECTED = {"engins": 95, "villard-de-lans": 72, "ccmv": 67}


def table_uids(dataset) -> list[str]:
    (table,) = [r for r in dataset["resources"] if r.get("url_type") == "datastore"]
    result = helpers.call_action(
        "datastore_search", resource_id=table["id"], limit=1000, fields=["uid"]
    )
    return [row["uid"] for row in result["records"]]


def published(org: str):
    """The buyer's procurement dataset, or None when there is none yet."""
    found = helpers.call_action("organization_show", id=org, include_datasets=True)
    names = [d["name"] for d in found["packages"] if d.get("decp_buyer_siren")]
    return helpers.call_action("package_show", id=names[0]) if names else None


def test_an_import_killed_while_publishing_is_completed_by_the_next(
    cli, ckan_config, territory
):
    command = [str(CKAN), "-c", ckan_config["__file__"], "territoire", "decp"]
    process = subprocess.Popen(
        [*command, "import", str(SAMPLE)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "(213801533)" in line:  # Engins published, the next one begins
                process.send_signal(signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, "".join(lines[-20:])

    # What the killed run published is whole; the rest is absent or partial,
    # never doubled.
    engins = dataset_of("engins")
    assert sorted(table_uids(engins)) == sorted(set(table_uids(engins)))
    assert len(table_uids(engins)) == EXPECTED["engins"]
    for org in ("villard-de-lans", "ccmv"):
        dataset = published(org)
        if dataset is not None:
            uids = table_uids(dataset) if dataset["resources"] else []
            assert len(uids) == len(set(uids)) <= EXPECTED[org]

    again = cli.invoke(ckan_command, ["territoire", "decp", "import", str(SAMPLE)])

    assert again.exit_code == 0, again.output
    for org, count in EXPECTED.items():
        dataset = dataset_of(org)
        uids = table_uids(dataset)
        assert len(uids) == len(set(uids)) == count, org
        names = {r["name"] for r in dataset["resources"]}
        assert "Fichier DECP, format 2022 (JSON)" in names, names
        assert "Contrats (CSV)" in names, names
    assert "(213801533)" in again.output
    assert "inchangés : 95" in again.output  # Engins' contracts, not rewritten
