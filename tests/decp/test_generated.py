"""Files made by the project's generator of realistic national files
(decp/generator.py), in every layout the readers take, compact and
pretty-printed, with 5 % of dirty contracts: the readers find exactly what
the generator says they must (records, contracts, duplicates, each defect
mended by its rule, the contracts and current amounts of each CCMV buyer)."""

from __future__ import annotations

import io

import pytest

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp.generator import (
    CCMV,
    DEFECTS,
    LAYOUTS,
    Generator,
    main,
)
from tests.decp.conftest import ccmv_sirens, generate
from tests.decp.library import _library_only  # noqa: F401


def read(path, buyers=None):
    report = decp.Report()
    with path.open("rb") as fp:
        contracts = list(decp.read_contracts(fp, buyers=buyers, report=report))
    return contracts, report


@pytest.fixture(
    scope="module",
    params=[(layout, pretty) for layout in LAYOUTS for pretty in (False, True)],
    ids=lambda p: f"{p[0]}{'-pretty' if p[1] else ''}",
)
def generated(request, tmp_path_factory):
    layout, pretty = request.param
    path = tmp_path_factory.mktemp("decp") / f"decp-{layout}.json"
    truth = generate(path, layout, contracts=4000, dirty=0.05, pretty=pretty)
    return layout, path, truth


def test_every_defect_is_mended_by_its_rule(generated):
    layout, path, truth = generated

    contracts, report = read(path)

    assert report.file_format == layout
    assert report.read == truth.records
    assert report.kept == len(contracts) == truth.contracts
    assert report.duplicates == truth.duplicates > 0
    assert report.rejected_count == 0
    assert dict(report.cleaned) == dict(truth.rules)
    assert set(truth.rules) == set(DEFECTS) - {"duplicate"} - {
        d for d, layouts in DEFECTS.items() if layout not in layouts
    }


def test_contracts_and_amounts_per_ccmv_buyer(generated):
    _layout, path, truth = generated

    contracts, report = read(path, buyers=decp.BuyerFilter.of(ccmv_sirens()))

    assert dict(report.by_buyer) == dict(truth.territory_by_buyer)
    assert len(contracts) == truth.territory_contracts > 0
    assert {c.buyer_siren for c in contracts} == ccmv_sirens()
    amounts: dict[str, float] = {}
    for contract in contracts:
        total = amounts.get(contract.buyer_siret, 0.0) + (contract.montant or 0.0)
        amounts[contract.buyer_siret] = round(total, 2)
    assert amounts == truth.territory_amount_by_buyer
    assert report.outside + report.kept + report.duplicates == report.read


def test_the_generator_knows_the_ccmv_of_the_territory_reference():
    assert {siren for siren, _name, _insee in CCMV} == ccmv_sirens()


def test_the_same_seed_writes_the_same_file():
    first, second = io.BytesIO(), io.BytesIO()

    Generator("json-2022", seed=3, dirty=0.1).write(first, contracts=200)
    Generator("json-2022", seed=3, dirty=0.1).write(second, contracts=200)

    assert first.getvalue() == second.getvalue()


def test_a_file_of_a_size(tmp_path):
    path = tmp_path / "decp.json"
    with path.open("wb") as out:
        truth = Generator("json-2019").write(out, size=200_000)

    assert 200_000 <= path.stat().st_size == truth.bytes < 205_000
    _contracts, report = read(path)
    assert report.kept == truth.contracts


def test_the_command_line_prints_what_a_reader_must_find(tmp_path, capsys):
    path = tmp_path / "decp.xml"

    main(["--format", "xml", "--contracts", "50", "-o", str(path), "--stats"])

    printed = capsys.readouterr().out
    assert '"contracts": 50' in printed
    _contracts, report = read(path)
    assert report.kept == 50
