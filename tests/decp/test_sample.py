"""The DECP sample the package ships for the demo portal: read whole, the
CCMV's seven bodies found with the counts the generator gives, and made
again identically by the command its README gives."""

from __future__ import annotations

import json
from pathlib import Path

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp.generator import main
from tests.decp.conftest import ccmv_sirens
from tests.decp.library import _library_only  # noqa: F401

SAMPLES = Path(decp.__file__).resolve().parent / "samples"
SAMPLE = SAMPLES / "decp-ccmv-demo.json"
FIRMS = SAMPLES / "decp-ccmv-demo-firms.json"
# The command of samples/README.md, but the output files.
COMMAND = [
    "--format",
    "json-2022",
    "--contracts",
    "1000",
    "--territory-share",
    "0.5",
    "--dirty",
    "0.05",
    "--seed",
    "2024",
    "--buyers",
    "200",
    "--firms",
    "300",
    "--stats",
]


def test_sample_gives_the_ccmv_contracts():
    report = decp.Report()
    with SAMPLE.open("rb") as fp:
        contracts = list(
            decp.read_contracts(fp, decp.BuyerFilter.of(ccmv_sirens()), report)
        )

    assert report.read == 1007
    assert report.kept == len(contracts) == 512
    assert {c.buyer_siren for c in contracts} == ccmv_sirens()
    assert dict(report.by_buyer) == {  # as the generator printed (--stats)
        "20005622494768": 66,
        "21380129343464": 60,
        "21380153367199": 95,
        "21380205149777": 76,
        "21380433932812": 76,
        "21380548429787": 72,
        "24380102477021": 67,
    }
    assert report.rejected_count == 0


def test_sample_is_made_again_by_the_command_of_its_readme(tmp_path, capsys):
    again, firms = tmp_path / "sample.json", tmp_path / "firms.json"

    main([*COMMAND, "-o", str(again), "--firms-out", str(firms)])

    assert again.read_bytes() == SAMPLE.read_bytes()
    assert firms.read_bytes() == FIRMS.read_bytes()
    printed = json.loads(capsys.readouterr().out)
    assert (printed["records"], printed["territory_contracts"]) == (1007, 512)
    readme = (SAMPLES / "README.md").read_text()
    assert all(argument in readme for argument in COMMAND)
