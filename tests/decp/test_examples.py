"""Every official example file is read, and our JSON export of its contracts
validates against the official JSON schema of its format (1.5.0 for the 2019
examples, 2.0.3 for the 2022 ones, the XML ones included)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from ckanext.opendata_territoire import decp
from tests.decp.conftest import (
    EXAMPLES,
    SCHEMAS,
    example_files,
)
from tests.decp.library import _library_only  # noqa: F401

# File -> (format, records in the file, contracts kept, of which concessions).
EXPECTED = {
    "2019-v1.5.0/cc-avec-modifications.json": ("json-2019", 1, 1, 1),
    "2019-v1.5.0/cc-basique-avec-uid.json": ("json-2019", 1, 1, 1),
    "2019-v1.5.0/cc-basique.json": ("json-2019", 1, 1, 1),
    "2019-v1.5.0/mar-avec-modifications.json": ("json-2019", 1, 1, 0),
    "2019-v1.5.0/mar-basique-avec-uid.json": ("json-2019", 1, 1, 0),
    "2019-v1.5.0/mar-basique.json": ("json-2019", 1, 1, 0),
    "2019-v1.5.0/paquet-avec-uid.json": ("json-2019", 2, 2, 1),
    "2019-v1.5.0/paquet-result.json": ("json-2019", 2, 2, 0),
    "2019-v1.5.0/paquet.json": ("json-2019", 2, 2, 1),
    # The XML examples hold the same contract twice: one is a duplicate.
    "2022-v2/Contrat-concession-modification.xml": ("xml", 2, 1, 1),
    "2022-v2/Contrat-concession.xml": ("xml", 2, 1, 1),
    "2022-v2/Marche.xml": ("xml", 2, 1, 0),
    "2022-v2/concessions.json": ("json-2022", 2, 2, 2),
    "2022-v2/concessions_avec_modifications.json": ("json-2022", 2, 2, 2),
    "2022-v2/marches_avec_modifications.json": ("json-2022", 2, 2, 0),
    "2022-v2/marches_concessions.json": ("json-2022", 4, 4, 2),
}


def _ids(path: Path) -> str:
    return str(path.relative_to(EXAMPLES))


def test_the_fixtures_hold_every_official_example():
    assert sorted(_ids(p) for p in example_files()) == sorted(EXPECTED)


def read(path: Path) -> tuple[list[decp.Contract], decp.Report]:
    report = decp.Report()
    with path.open("rb") as fp:
        contracts = list(decp.read_contracts(fp, report=report))
    return contracts, report


def validator(version: str) -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMAS[version].read_text("utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.mark.parametrize("path", example_files(), ids=_ids)
def test_example_is_read_whole(path):
    contracts, report = read(path)

    file_format, records, kept, concessions = EXPECTED[_ids(path)]
    assert report.file_format == file_format
    assert (report.read, report.kept) == (records, kept)
    assert report.duplicates == records - kept
    assert sum(c.kind == decp.CONCESSION for c in contracts) == concessions
    # The official examples are clean: nothing mended, nothing rejected.
    assert dict(report.cleaned) == {}
    assert report.rejected_count == 0
    version = "2019" if "2019" in path.parent.name else "2022"
    assert {c.version for c in contracts} == {version}


@pytest.mark.parametrize("path", example_files(), ids=_ids)
def test_our_json_export_validates_against_the_official_schema(path):
    contracts, _report = read(path)
    version = contracts[0].version

    out = io.StringIO()
    written = decp.write_json(contracts, out, version)
    document = json.loads(out.getvalue())

    assert written == len(contracts)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(version).iter_errors(document)
    ]
    assert errors == []


@pytest.mark.parametrize("path", example_files(), ids=_ids)
def test_export_keeps_the_published_values(path):
    """The export is the record as published (XML values typed as the JSON
    format wants them): reading the export again gives the same rows."""
    contracts, _report = read(path)
    out = io.StringIO()
    decp.write_json(contracts, out, contracts[0].version)

    again, _ = read_bytes(out.getvalue().encode("utf-8"))

    assert [c.row() for c in again] == [c.row() for c in contracts]


def read_bytes(data: bytes) -> tuple[list[decp.Contract], decp.Report]:
    report = decp.Report()
    contracts = list(decp.read_contracts(io.BytesIO(data), report=report))
    return contracts, report


def test_xml_and_json_of_the_same_marche_give_the_same_values():
    (xml,), _ = read(EXAMPLES / "2022-v2" / "Marche.xml")
    row = xml.row()

    assert row["marcheInnovant"] is True  # <marcheInnovant>oui</...>
    assert row["attributionAvance"] is True
    assert row["origineUE"] == 0.1
    assert row["offresRecues"] == 4
    assert row["montant"] == 575000
    assert row["titulaires_id"] == "55204599900869"
    assert row["techniques"] == "Concours; Accord-cadre"
    assert row["considerationsSociales"] == "Clause sociale; Critère social"
    assert xml.record["titulaires"] == [
        {"titulaire": {"id": "55204599900869", "typeIdentifiant": "SIRET"}}
    ]
    assert xml.record["typesPrix"] == {"typePrix": ["Définitif ferme"]}
    assert xml.record["actesSousTraitance"][0]["acteSousTraitance"]["id"] == 1
