"""Files made by the project's generator of realistic national files
(../shared/tools/gen_decp.py) with 5 % of dirty contracts: we find exactly the
counts it prints (contracts per CCMV buyer, duplicates removed, defects fixed
or reported)."""

from __future__ import annotations

import pytest

from ckanext.opendata_territoire import decp
from tests.decp.conftest import (
    ccmv_sirens,
    generate,
    needs_generator,
)
from tests.decp.library import _library_only  # noqa: F401

pytestmark = needs_generator

# The generator's defect -> the rule of ours that mends it.
RULE_OF_DEFECT = {
    "flat_acheteur": "flat_buyer_id",
    "nested_titulaires": "nested_titulaires",
    "nc": "not_communicated",
    "bad_date": "bad_date",
    "absurd_amount": "absurd_amount",
    "siret_spaces": "siret_spaces",
    "lower_enum": "enumeration",
}


def read(path, buyers=None):
    report = decp.Report()
    with path.open("rb") as fp:
        contracts = list(decp.read_contracts(fp, buyers=buyers, report=report))
    return contracts, report


@pytest.fixture(scope="module", params=["2019", "2022"])
def generated(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("decp") / f"decp-{request.param}.json"
    stats = generate(
        path,
        "--format",
        request.param,
        "--contracts",
        "4000",
        "--dirty",
        "0.05",
        "--ccmv-share",
        "0.05",
        "--seed",
        "6",
    )
    return request.param, path, stats


def test_every_defect_is_fixed_or_reported(generated):
    version, path, stats = generated

    contracts, report = read(path)

    assert report.file_format == f"json-{version}"
    assert report.read == stats["records_written"]
    assert report.kept == len(contracts) == stats["contracts"]
    assert report.duplicates == stats["duplicates"]
    assert report.rejected_count == 0
    expected = {
        RULE_OF_DEFECT[defect]: count
        for defect, count in stats["defects"].items()
        if defect != "duplicate"
    }
    if version == "2022":
        # The generator writes the 2022 titulaires from the inner list of a
        # nested one: its 2022 files carry no nested list to find.
        expected.pop("nested_titulaires")
    assert dict(report.cleaned) == expected


def test_contracts_per_ccmv_buyer(generated):
    _version, path, stats = generated

    contracts, report = read(path, buyers=decp.BuyerFilter.of(ccmv_sirens()))

    assert dict(report.by_buyer) == stats["ccmv_contracts_by_buyer_siret"]
    assert len(contracts) == stats["ccmv_contracts"]
    assert {c.buyer_siren for c in contracts} == ccmv_sirens()
    assert report.outside + report.kept + report.duplicates == report.read


def test_the_ccmv_buyers_come_from_the_territory_reference():
    assert ccmv_sirens() == {
        "243801024",
        "213805484",
        "200056224",
        "213802051",
        "213804339",
        "213801533",
        "213801293",
    }
