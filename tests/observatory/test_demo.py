"""The demo: the shipped register of local firms is made from the DECP
sample's firms, and with the shipped sample imported the observatory page
shows the CCMV's figures."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.opendata_territoire.observatory import demo


def test_the_shipped_register_is_made_from_the_samples_firms():
    firms = json.loads(demo.FIRMS.read_text(encoding="utf-8"))

    assert demo.REGISTER.read_text(encoding="utf-8") == demo.register_csv(firms)
    assert len(demo.REGISTER.read_text(encoding="utf-8").splitlines()) == 301


@pytest.mark.usefixtures("clean_datastore", "with_request_context")
def test_demo_observatory_with_the_shipped_sample(app, cli, territory):
    sample = demo.PACKAGE / "decp" / "samples" / "decp-ccmv-demo.json"
    imported = cli.invoke(ckan_command, ["territoire", "decp", "import", str(sample)])
    assert imported.exit_code == 0, imported.output

    seeded = cli.invoke(ckan_command, ["territoire", "observatory", "seed-demo"])
    again = cli.invoke(ckan_command, ["territoire", "observatory", "seed-demo"])

    assert seeded.exit_code == 0, seeded.output
    assert "(300 entreprises)" in seeded.output
    assert again.exit_code == 0, again.output  # idempotent
    total = helpers.call_action("territoire_procurement_stats")["total"]
    assert total["contracts"] > 100
    # Every made-up firm is in the register: only the titulaires without a
    # readable SIRET stay unknown.
    assert total["unknown"]["amount_share"] < 0.1
    assert 0 < total["territory"]["amount_share"] < 1
    soup = BeautifulSoup(app.get("/observatory").body, "html.parser")
    figures = soup.select_one(".territoire-observatory-figures").get_text(" ")
    assert re.search(r"Remporté par : Entreprises du territoire\s+\d+\s%", figures)
    assert len(soup.select(".territoire-observatory-bars li")) > 3
