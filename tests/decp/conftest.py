"""DECP test data: the official examples and schemas (fixtures/, copied from
../shared/data/decp) and files made by the project's generator of realistic
national files (ckanext/opendata_territoire/decp/generator.py)."""

from __future__ import annotations

from pathlib import Path

from ckanext.opendata_territoire.decp.generator import Generator
from ckanext.opendata_territoire.territory.reference import NpmReference
from tests.territory.conftest import CCMV, FIXTURE_DATA

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
EXAMPLES = FIXTURES / "examples"
SCHEMAS = {
    "2019": FIXTURES / "schemas" / "decp-1.5.0.schema.json",
    "2022": FIXTURES / "schemas" / "decp-2.0.3.schema.json",
}


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*/*") if p.suffix in (".json", ".xml"))


def ccmv_sirens() -> set[str]:
    """The SIRENs of the CCMV and of its communes, from the territory
    reference data (the fixture copy of @etalab/decoupage-administratif)."""
    epci = NpmReference(FIXTURE_DATA).epci(CCMV)
    return {epci.siren} | {commune.siren for commune in epci.members}


def generate(path: Path, layout: str = "json-2022", contracts: int = 3000, **options):
    """Writes a generated national file (5 % of the contracts bought by the
    CCMV by default); returns what a correct reader must find."""
    options.setdefault("territory_share", 0.05)
    with path.open("wb") as out:
        return Generator(layout, **options).write(out, contracts=contracts)
