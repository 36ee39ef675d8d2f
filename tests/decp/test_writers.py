"""The writers: DECP JSON in each format's official layout, and flat CSV."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp.model import CSV_COLUMNS
from tests.decp.conftest import (
    EXAMPLES,
)
from tests.decp.library import _library_only  # noqa: F401
from tests.decp.test_cleaning import MARCHE_2019, MARCHE_2022
from tests.decp.test_examples import validator


def contract(record, version):
    cleaned = decp.clean(version, "marche", copy.deepcopy(record), dt.date(2026, 6, 1))
    return decp.contract_from(cleaned)


def test_2022_json_leaves_out_what_the_format_does_not_have():
    record = dict(
        MARCHE_2022, modifications=[], source="profil-acheteur", origineUE=None
    )
    c = contract(record, "2022")
    out = io.StringIO()

    decp.write_json([c], out, "2022")

    document = json.loads(out.getvalue())
    (written,) = document["marches"]["marche"]
    assert "source" not in written
    assert "modifications" not in written  # an empty list is not allowed
    assert "origineUE" not in written
    assert list(validator("2022").iter_errors(document)) == []


def test_each_format_gets_its_contracts_only():
    contracts = [contract(MARCHE_2019, "2019"), contract(MARCHE_2022, "2022")]

    out_2019, out_2022 = io.StringIO(), io.StringIO()
    assert decp.write_json(contracts, out_2019, "2019") == 1
    assert decp.write_json(contracts, out_2022, "2022") == 1

    assert [m["id"] for m in json.loads(out_2019.getvalue())["marches"]] == [
        "2021000123"
    ]
    assert json.loads(out_2022.getvalue())["marches"]["marche"][0]["id"] == "2024-0042"


def test_mixed_marches_and_concessions_are_written_under_their_keys():
    with (EXAMPLES / "2022-v2" / "marches_concessions.json").open("rb") as fp:
        contracts = list(decp.read_contracts(fp))
    out = io.StringIO()

    decp.write_json(contracts, out, "2022")

    marches = json.loads(out.getvalue())["marches"]
    assert [len(marches["marche"]), len(marches["contrat-concession"])] == [2, 2]


def test_cleaned_values_are_exported():
    dirty = dict(MARCHE_2019, procedure="procédure adaptée", montant=1e17)
    out = io.StringIO()

    decp.write_json([contract(dirty, "2019")], out, "2019")

    (written,) = json.loads(out.getvalue())["marches"]
    assert written["procedure"] == "Procédure adaptée"
    assert "montant" not in written


def test_csv_has_one_row_per_contract_with_the_current_state():
    contracts = [contract(MARCHE_2019, "2019"), contract(MARCHE_2022, "2022")]
    out = io.StringIO()

    assert decp.write_csv(contracts, out) == 2

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == CSV_COLUMNS
    assert "decp" not in rows[0]
    assert rows[0]["uid"] == "213805484000112021000123"
    assert rows[0]["montant"] == "45000.5"
    assert rows[1]["marcheInnovant"] == "false"
    assert rows[1]["acheteur_nom"] == ""
