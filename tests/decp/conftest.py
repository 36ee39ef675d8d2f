"""DECP test data: the official examples and schemas (fixtures/, copied from
../shared/data/decp) and files made by ../shared/tools/gen_decp.py, the
project's generator of realistic national files (present where the shared
folder is, in CI; the tests that need it are skipped elsewhere)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ckanext.opendata_territoire.territory.reference import NpmReference
from tests.territory.conftest import CCMV, FIXTURE_DATA

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
EXAMPLES = FIXTURES / "examples"
SCHEMAS = {
    "2019": FIXTURES / "schemas" / "decp-1.5.0.schema.json",
    "2022": FIXTURES / "schemas" / "decp-2.0.3.schema.json",
}
REPO = HERE.parent.parent
GENERATOR = REPO.parent / "shared" / "tools" / "gen_decp.py"

needs_generator = pytest.mark.skipif(
    not GENERATOR.exists(), reason=f"{GENERATOR} is absent (../shared)"
)


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*/*") if p.suffix in (".json", ".xml"))


def ccmv_sirens() -> set[str]:
    """The SIRENs of the CCMV and of its communes, from the territory
    reference data (the fixture copy of @etalab/decoupage-administratif)."""
    epci = NpmReference(FIXTURE_DATA).epci(CCMV)
    return {epci.siren} | {commune.siren for commune in epci.members}


def generate(path: Path, *args: str) -> dict:
    """Runs the generator with --stats; returns the counts it printed."""
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "-o", str(path), "--stats", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stderr)


@pytest.fixture
def clean_datastore(clean_db, clean_index):
    """The catalogue, the search index and the DataStore, emptied."""
    from ckanext.datastore.tests import helpers as datastore_helpers

    engine = datastore_helpers.db.get_write_engine()
    datastore_helpers.rebuild_all_dbs(
        datastore_helpers.orm.scoped_session(
            datastore_helpers.orm.sessionmaker(bind=engine)
        )
    )
