"""The pipeline: buyer filter (SIREN: every SIRET of the body; SIRET: that
establishment), deduplication, the since date, one version per uid, and the
report."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json

import pytest

from ckanext.opendata_territoire import decp
from tests.decp.library import _library_only  # noqa: F401
from tests.decp.test_cleaning import MARCHE_2019

VILLARD = "21380548400011"
VILLARD_OTHER_SITE = "21380548400029"
ENGINS = "21380153300017"
PARIS = "21750001600019"


def marche(id_, buyer, **changes):
    record = copy.deepcopy(MARCHE_2019)
    record.update(id=id_, acheteur={"id": buyer, "nom": "x"}, **changes)
    return record


def run(items, **kwargs):
    report = decp.Report()
    data = json.dumps({"marches": items}).encode()
    contracts = list(decp.read_contracts(io.BytesIO(data), report=report, **kwargs))
    return contracts, report


def test_a_siren_keeps_every_siret_of_the_body_a_siret_only_itself():
    items = [
        marche("2021A", VILLARD),
        marche("2021B", VILLARD_OTHER_SITE),
        marche("2021C", ENGINS),
        marche("2021D", PARIS),
    ]

    by_siren, report = run(items, buyers=decp.BuyerFilter.of(["213805484"]))
    by_siret, _ = run(items, buyers=decp.BuyerFilter.of([ENGINS]))

    assert [c.id for c in by_siren] == ["2021A", "2021B"]
    assert [c.id for c in by_siret] == ["2021C"]
    assert (report.read, report.kept, report.outside) == (4, 2, 2)
    assert report.by_buyer == {VILLARD: 1, VILLARD_OTHER_SITE: 1}


def test_buyers_written_with_spaces_or_flat_are_still_found():
    spaced = marche("2021A", "213 805 484 00011")
    flat = marche("2021B", VILLARD)
    flat["acheteur.id"] = flat.pop("acheteur")["id"]

    contracts, report = run([spaced, flat], buyers=decp.BuyerFilter.of(["213805484"]))

    assert [c.id for c in contracts] == ["2021A", "2021B"]
    assert report.cleaned == {"siret_spaces": 1, "flat_buyer_id": 1}


def test_buyer_filter_refuses_what_is_not_a_siren_or_siret():
    assert decp.BuyerFilter.of(["213 805 484"]).sirens == {"213805484"}
    with pytest.raises(decp.BuyerError):
        decp.BuyerFilter.of(["2138"])


def test_duplicates_are_dropped_on_uid_titulaire_and_date():
    first = marche("2021A", VILLARD)
    same = copy.deepcopy(first)
    same_but_dirty = marche("2021A", VILLARD, procedure="procédure adaptée")
    other_date = marche("2021A", VILLARD, dateNotification="2021-04-01")

    contracts, report = run([first, same, same_but_dirty, other_date])

    assert len(contracts) == 2
    assert report.duplicates == 2
    # Rules count the contracts kept: the dropped duplicate's mending is not
    # counted.
    assert report.cleaned == {}


def test_since_keeps_the_contracts_notified_from_that_date():
    items = [
        marche("2021A", VILLARD, dateNotification="2021-12-31"),
        marche("2022B", VILLARD, dateNotification="2022-01-01"),
    ]

    contracts, report = run(items, since=dt.date(2022, 1, 1))

    assert [c.id for c in contracts] == ["2022B"]
    assert report.before_since == 1


def test_rejections_are_reported_with_the_contract_and_the_reason():
    items = [marche("2021A", VILLARD), marche("2021B", "12"), {"objet": "x"}, "x"]

    contracts, report = run(items)

    assert len(contracts) == 1
    assert report.rejected_count == 3
    assert [r.as_dict() for r in report.rejected] == [
        {"position": 2, "id": "2021B", "reason": "invalid_buyer", "detail": "12"},
        {"position": 3, "id": None, "reason": "missing_id", "detail": ""},
        {"position": 4, "id": None, "reason": "not_an_object", "detail": "str"},
    ]


def test_report_as_json():
    items = [marche("2021A", VILLARD, dureeMois="NC"), marche("2021B", "12")]

    _contracts, report = run(items, buyers=decp.BuyerFilter.of(["213805484"]))

    assert report.as_dict() == {
        "format": "json-2019",
        "read": 2,
        "kept": 1,
        "outside_buyers": 0,
        "before_since": 0,
        "duplicates": 0,
        "cleaned": {"not_communicated": 1},
        "rejected": 1,
        "rejected_by_reason": {"invalid_buyer": 1},
        "rejections": [
            {"position": 2, "id": "2021B", "reason": "invalid_buyer", "detail": "12"}
        ],
        "contracts_by_buyer_siret": {VILLARD: 1},
        "kinds": {"marche": 1},
        "versions": {"2019": 1},
        "error": None,
        "bytes_fetched": 0,
        "bytes_total": 0,
    }
    # "12" is no SIRET: whose contract it is cannot be told, so it is
    # reported even when only some buyers are kept.


def test_a_read_error_is_in_the_report():
    data = json.dumps({"marches": [marche("2021A", VILLARD)] * 2}).encode()[:-40]
    report = decp.Report()

    with pytest.raises(decp.DecpReadError):
        list(decp.read_contracts(io.BytesIO(data), report=report))

    assert "truncated" in report.error
    assert report.kept == 1


def test_latest_version_of_a_uid_wins():
    old = marche("2021A", VILLARD)
    new = marche(
        "2021A",
        VILLARD,
        titulaires=[{"typeIdentifiant": "SIRET", "id": "55204599900877",
                     "denominationSociale": "B"}],
        modifications=[{"objetModification": "Avenant",
                        "dateNotificationModification": "2022-01-01",
                        "datePublicationDonneesModification": "2022-01-02",
                        "montant": 1}],
    )  # fmt: skip
    contracts, _report = run([new, old])

    assert len(contracts) == 2  # not duplicates: other titulaires
    kept, superseded = decp.latest_versions(contracts)

    assert superseded == 1
    assert [c.modifications[0].objet for c in kept] == ["Avenant"]


def test_group_by_siren():
    items = [
        marche("A1", VILLARD),
        marche("A2", VILLARD_OTHER_SITE),
        marche("B", ENGINS),
    ]
    contracts, _ = run(items)

    groups = decp.group_by_siren(contracts)

    assert {k: [c.id for c in v] for k, v in groups.items()} == {
        "213805484": ["A1", "A2"],
        "213801533": ["B"],
    }
