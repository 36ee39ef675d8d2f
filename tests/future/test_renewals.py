"""Expected ends, computed from a contract's DataStore row, on the cases
that make them hard; no database."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.opendata_territoire.future import renewals as r


def end(**row):
    return r.expected_end({"dateNotification": "2024-03-15", **row})


def test_a_marche_ends_its_duration_after_its_notification():
    found = end(nature="Marché", dureeMois=24)
    assert (found.kind, found.end, found.reason) == (
        r.MARCHE,
        dt.date(2026, 3, 15),
        None,
    )


def test_a_duration_as_published_text_counts():
    assert end(dureeMois="36").end == dt.date(2027, 3, 15)
    assert end(dureeMois=12.0).end == dt.date(2025, 3, 15)


def test_the_end_of_a_short_month_is_its_last_day():
    assert r.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert r.add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert r.add_months(dt.date(2024, 11, 30), 14) == dt.date(2026, 1, 30)


@pytest.mark.parametrize(
    "row",
    [
        {"nature": "Accord-cadre"},  # DECP 2019
        {"nature": "accord cadre"},
        {"nature": "Marché", "techniques": "Accord-cadre; Système d'acquisition"},
    ],
)
def test_a_framework_agreement_ends_at_its_maximum_duration(row):
    found = end(dureeMois=48, **row)
    assert (found.kind, found.end) == (r.FRAMEWORK, dt.date(2028, 3, 15))


def test_a_concession_runs_from_its_start_of_execution():
    found = r.expected_end(
        {
            "type": "Contrat de concession",
            "nature": "Délégation de service public",
            "dateNotification": "2020-01-04",
            "dateDebutExecution": "2020-07-01",
            "dureeMois": 300,  # beyond a marché's bound, within a concession's
        }
    )
    assert (found.kind, found.start, found.end) == (
        r.CONCESSION,
        dt.date(2020, 7, 1),
        dt.date(2045, 7, 1),
    )


def test_a_concession_without_start_of_execution_runs_from_its_signature():
    found = r.expected_end(
        {
            "nature": "Concession de service",
            "dateNotification": "2021-05-10",
            "dureeMois": 60,
        }
    )
    assert (found.kind, found.end) == (r.CONCESSION, dt.date(2026, 5, 10))


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"dateNotification": None, "dureeMois": 12}, r.NO_DATE),
        ({"dateNotification": "pas une date", "dureeMois": 12}, r.NO_DATE),
        ({"dureeMois": None}, r.NO_DURATION),
        ({"dureeMois": ""}, r.NO_DURATION),
        ({"dureeMois": "NC"}, r.NOT_COMMUNICATED),
        ({"dureeMois": "nc "}, r.NOT_COMMUNICATED),
        ({"dureeMois": 0}, r.INVALID_DURATION),
        ({"dureeMois": -6}, r.INVALID_DURATION),
        ({"dureeMois": 2.5}, r.INVALID_DURATION),
        ({"dureeMois": "douze"}, r.INVALID_DURATION),
        ({"dureeMois": 241}, r.ABSURD_DURATION),
        ({"dureeMois": 9999}, r.ABSURD_DURATION),
        (
            {"type": "Contrat de concession", "dureeMois": 361},
            r.ABSURD_DURATION,
        ),
    ],
)
def test_an_end_that_cannot_be_computed_is_not_guessed(row, reason):
    found = end(**row)
    assert (found.end, found.reason) == (None, reason)
    assert reason in r.REASONS


def test_the_bounds_themselves_are_accepted():
    assert end(dureeMois=1).end == dt.date(2024, 4, 15)
    assert end(dureeMois=240).end == dt.date(2044, 3, 15)


def test_the_re_tender_is_the_quarter_of_the_end():
    assert r.quarter(dt.date(2026, 1, 1)) == "2026-Q1"
    assert r.quarter(dt.date(2026, 3, 31)) == "2026-Q1"
    assert r.quarter(dt.date(2026, 4, 1)) == "2026-Q2"
    assert r.quarter(dt.date(2026, 12, 31)) == "2026-Q4"


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        (None, None),
        (-1, None),
        (0, "small"),
        (39_999.99, "small"),
        (40_000, "medium"),
        (220_999, "medium"),
        (221_000, "large"),
        (1_000_000, "very_large"),
    ],
)
def test_amount_bands(amount, band):
    assert r.amount_band(amount) == band
