"""The DECP sample the package ships for the demo portal: read whole, the
CCMV's seven bodies found with the counts the generator printed, and made
again identically by the command its README gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ckanext.opendata_territoire import decp
from tests.decp.conftest import GENERATOR, ccmv_sirens, needs_generator
from tests.decp.library import _library_only  # noqa: F401

SAMPLES = Path(decp.__file__).resolve().parent / "samples"
SAMPLE = SAMPLES / "decp-ccmv-demo.json"
FIRMS = SAMPLES / "decp-ccmv-demo-firms.json"


def test_sample_gives_the_ccmv_contracts():
    report = decp.Report()
    with SAMPLE.open("rb") as fp:
        contracts = list(
            decp.read_contracts(fp, decp.BuyerFilter.of(ccmv_sirens()), report)
        )

    assert report.read == 1000
    assert report.kept == len(contracts) == 515
    assert {c.buyer_siren for c in contracts} == ccmv_sirens()
    assert dict(report.by_buyer) == {  # as the generator printed (--stats)
        "21380548477026": 94,
        "21380153332813": 74,
        "21380433949774": 73,
        "24380102443460": 61,
        "21380205194765": 69,
        "21380129367190": 79,
        "20005622429780": 65,
    }
    assert report.rejected_count == 0


@needs_generator
def test_sample_is_made_again_by_the_command_of_its_readme(tmp_path):
    again = tmp_path / "sample.json"
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--format",
            "2022",
            "--contracts",
            "1000",
            "--ccmv-share",
            "0.5",
            "--dirty",
            "0.05",
            "--seed",
            "2024",
            "--firms",
            "300",
            "-o",
            str(again),
            "--sirene-out",
            str(tmp_path / "firms.json"),
        ],
        check=True,
    )

    assert again.read_bytes() == SAMPLE.read_bytes()
    assert (tmp_path / "firms.json").read_bytes() == FIRMS.read_bytes()
