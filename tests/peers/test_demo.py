"""The demo's national file: the CCMV among its peers without internet."""

from __future__ import annotations

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.opendata_territoire.peers import demo

pytestmark = pytest.mark.usefixtures("clean_db")


def test_seed_demo_shows_the_ccmv_among_its_peers(cli, tmp_path):
    path = tmp_path / "national.csv"

    result = cli.invoke(
        ckan_command, ["territoire", "peers", "seed-demo", "--output", str(path)]
    )

    assert result.exit_code == 0, result.output
    assert "Chiffres des territoires comparables actualisés" in result.output
    peers = helpers.call_action("territoire_procurement_peers")
    assert peers["available"] is True
    assert peers["epci"]["contracts"] > 400  # the DECP sample's, about 500
    assert peers["peers_with_data"] == peers["peers_total"] > 100
    assert peers["national_epcis"] > 1000
    found = {f["key"]: f for f in peers["figures"]}
    share = found["territory_amount_share"]
    assert share["value"] > 0 and share["rank"] is not None
    assert share["peers_q1"] < share["peers_median"] < share["peers_q3"]


def test_the_same_file_every_time(tmp_path):
    demo.write(str(tmp_path / "a.csv"))
    demo.write(str(tmp_path / "b.csv"))

    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
