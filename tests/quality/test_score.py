"""The quality score, criterion by criterion: what meets each one, what does
not, when it does not apply, and how the score counts them."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.opendata_territoire.quality import score

TODAY = dt.date(2025, 3, 1)
DESCRIPTION = (
    "Les délibérations du conseil municipal depuis 2020 : une ligne par "
    "délibération, avec sa date, son objet et le résultat du vote."
)


def complete(**overrides):
    """A dataset that meets every criterion."""
    return {
        "name": "deliberations",
        "notes": DESCRIPTION,
        "license_id": "lov2",
        "frequency": "monthly",
        "temporal_start": "2020-01-01",
        "spatial_insee": ["38153"],
        "data_updated": "2025-02-10",
        "contact_email": "mairie@engins.fr",
        "schema_name": "scdl/deliberations",
        "resources": [
            {"id": "r1", "name": "Délibérations 2025", "format": "CSV"},
            {"id": "r2", "name": "Notice", "format": "PDF"},
        ],
        **overrides,
    }


VALID = {"r1": {"reachable": True, "validation": "valid"}}


def criterion(dataset, checks=None, today=TODAY, name=None):
    result = score.evaluate(dataset, VALID if checks is None else checks, today)
    return next(c for c in result["criteria"] if c["id"] == name)


def test_a_complete_dataset_scores_100():
    result = score.evaluate(complete(), VALID, TODAY)

    assert result["score"] == 100
    assert result["level"] == "high"
    assert (result["met"], result["applicable"]) == (10, 10)


def test_every_criterion_has_a_label_and_how_to_meet_it():
    ids = [c["id"] for c in score.criteria()]

    assert ids == [
        "description",
        "licence",
        "frequency",
        "temporal_coverage",
        "spatial_coverage",
        "up_to_date",
        "open_format",
        "resources_reachable",
        "schema_conformance",
        "contact_point",
    ]
    assert all(c["label"] and c["description"] for c in score.criteria())


def test_an_empty_dataset_meets_nothing():
    result = score.evaluate({"name": "vide"}, {}, TODAY)

    met = {c["id"]: c["met"] for c in result["criteria"]}
    assert met == {
        "description": False,
        "licence": False,
        "frequency": False,
        "temporal_coverage": False,
        "spatial_coverage": False,
        "up_to_date": None,
        "open_format": False,
        "resources_reachable": False,
        "schema_conformance": None,
        "contact_point": False,
    }
    assert (result["score"], result["level"]) == (0, "low")


# description


def test_a_description_of_100_characters_meets_the_criterion():
    found = criterion(complete(notes="x" * 100), name="description")

    assert found["met"] is True


def test_a_short_description_does_not_and_says_its_length():
    found = criterion(complete(notes="  Délibérations.  "), name="description")

    assert found["met"] is False
    assert found["facts"] == {"length": 14, "minimum": 100}


# licence


@pytest.mark.parametrize("licence", ["lov2", "odc-odbl", "cc-by"])
def test_any_chosen_licence_meets_the_licence_criterion(licence):
    assert criterion(complete(license_id=licence), name="licence")["met"] is True


@pytest.mark.parametrize("licence", ["notspecified", "", None])
def test_no_licence_or_licence_not_specified_does_not(licence):
    assert criterion(complete(license_id=licence), name="licence")["met"] is False


# frequency


def test_a_frequency_meets_the_frequency_criterion():
    assert criterion(complete(frequency="annual"), name="frequency")["met"] is True


@pytest.mark.parametrize("frequency", ["unknown", "", None])
def test_an_unknown_frequency_does_not(frequency):
    assert criterion(complete(frequency=frequency), name="frequency")["met"] is False


# coverage in time and space


def test_the_start_of_the_period_meets_the_temporal_criterion():
    dataset = complete(temporal_start="2020-01-01", temporal_end=None)

    assert criterion(dataset, name="temporal_coverage")["met"] is True


def test_no_period_does_not():
    dataset = complete(temporal_start=None)

    assert criterion(dataset, name="temporal_coverage")["met"] is False


@pytest.mark.parametrize("codes", [["38153"], ["38153", "38548"], '["243801024"]'])
def test_insee_codes_meet_the_spatial_criterion(codes):
    dataset = complete(spatial_insee=codes)

    assert criterion(dataset, name="spatial_coverage")["met"] is True


@pytest.mark.parametrize("codes", [[], None, "[]"])
def test_no_area_does_not(codes):
    dataset = complete(spatial_insee=codes)

    assert criterion(dataset, name="spatial_coverage")["met"] is False


# up to date with its frequency


def test_data_updated_within_its_period_is_up_to_date():
    # Monthly: due 31 days (+ 1 day of grace) after 2025-02-10.
    found = criterion(complete(data_updated="2025-02-10"), name="up_to_date")

    assert found["met"] is True
    assert found["facts"] == {"last_update": "2025-02-10", "due": "2025-03-14"}


def test_data_older_than_its_period_is_late():
    found = criterion(
        complete(frequency="monthly", data_updated="2025-01-10"),
        today=dt.date(2025, 2, 12),
        name="up_to_date",
    )

    assert found["met"] is False
    assert found["facts"]["due"] == "2025-02-11"


def test_the_due_day_itself_is_still_on_time():
    found = criterion(
        complete(frequency="annual", data_updated="2024-02-28"),
        today=dt.date(2025, 3, 1),
        name="up_to_date",
    )

    assert found["met"] is True


def test_without_a_data_date_the_newest_file_date_counts():
    dataset = complete(
        data_updated=None,
        resources=[
            {"id": "r1", "format": "CSV", "created": "2024-01-01T10:00:00"},
            {
                "id": "r2",
                "format": "CSV",
                "created": "2023-01-01T10:00:00",
                "last_modified": "2025-02-20T08:00:00.123456",
            },
        ],
    )

    found = criterion(dataset, name="up_to_date")

    assert found["met"] is True
    assert found["facts"]["last_update"] == "2025-02-20"


def test_a_regular_frequency_without_any_date_is_not_up_to_date():
    dataset = complete(data_updated=None, resources=[])

    found = criterion(dataset, name="up_to_date")

    assert (found["met"], found["facts"]) == (False, {"last_update": None})


@pytest.mark.parametrize("frequency", ["punctual", "irregular", "unknown", None])
def test_up_to_date_does_not_apply_without_a_regular_update(frequency):
    dataset = complete(frequency=frequency, data_updated="2001-01-01")

    assert criterion(dataset, name="up_to_date")["met"] is None


# open formats


def test_one_csv_among_pdfs_meets_the_open_format_criterion():
    found = criterion(complete(), name="open_format")

    assert found["met"] is True


def test_only_pdf_and_spreadsheets_do_not():
    dataset = complete(
        resources=[
            {"id": "r1", "format": "XLSX"},
            {"id": "r2", "format": "pdf"},
            {"id": "r3", "format": ""},
        ]
    )

    found = criterion(dataset, name="open_format")

    assert found["met"] is False
    assert found["facts"] == {"formats": ["PDF", "XLSX"]}


def test_a_dataset_without_files_has_no_open_format():
    assert criterion(complete(resources=[]), name="open_format")["met"] is False


# resources reachable


def test_files_not_checked_yet_count_as_reachable():
    found = criterion(complete(), checks={}, name="resources_reachable")

    assert found["met"] is True


def test_a_link_that_failed_its_check_is_named():
    checks = {"r2": {"reachable": False}, "r1": {"reachable": True}}

    found = criterion(complete(), checks=checks, name="resources_reachable")

    assert found["met"] is False
    assert found["facts"]["unreachable"] == ["Notice"]


def test_a_dataset_without_files_is_not_reachable():
    found = criterion(complete(resources=[]), name="resources_reachable")

    assert (found["met"], found["facts"]["resources"]) == (False, 0)


# schema conformance


def test_a_valid_file_of_the_declared_schema_meets_the_criterion():
    found = criterion(complete(), name="schema_conformance")

    assert found["met"] is True
    assert found["facts"]["valid"] == ["Délibérations 2025"]


@pytest.mark.parametrize("status", ["invalid", "error"])
def test_a_file_that_does_not_conform_fails_it_and_is_named(status):
    checks = {"r1": {"validation": status}}

    found = criterion(complete(), checks=checks, name="schema_conformance")

    assert found["met"] is False
    assert found["facts"]["invalid"] == ["Délibérations 2025"]


def test_a_file_being_validated_does_not_meet_it_yet():
    checks = {"r1": {"validation": "pending"}}

    found = criterion(complete(), checks=checks, name="schema_conformance")

    assert found["met"] is False
    assert found["facts"]["pending"] == ["Délibérations 2025"]


def test_a_declared_schema_without_any_validated_file_does_not_meet_it():
    found = criterion(complete(), checks={}, name="schema_conformance")

    assert found["met"] is False


def test_a_schema_declared_on_a_file_only_applies_too():
    dataset = complete(
        schema_name=None,
        resources=[{"id": "r1", "format": "CSV", "schema_name": "scdl/budget"}],
    )

    assert criterion(dataset, name="schema_conformance")["met"] is True


def test_schema_conformance_does_not_apply_without_a_schema():
    dataset = complete(schema_name=None)

    assert criterion(dataset, name="schema_conformance")["met"] is None


# contact point


def test_a_contact_email_meets_the_contact_criterion():
    found = criterion(complete(contact_email="donnees@engins.fr"), name="contact_point")

    assert found["met"] is True


def test_a_contact_name_without_email_does_not():
    dataset = complete(contact_email="", contact_name="Secrétariat")

    assert criterion(dataset, name="contact_point")["met"] is False


# the score


def test_criteria_that_do_not_apply_do_not_count():
    # No schema and no regular update: 8 criteria apply; the contact is
    # missing: 7 of 8 = 88 %.
    dataset = complete(schema_name=None, frequency="punctual", contact_email="")

    result = score.evaluate(dataset, {}, TODAY)

    assert (result["met"], result["applicable"], result["score"]) == (7, 8, 88)
    assert result["level"] == "high"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(100, "high"), (80, "high"), (79, "medium"), (50, "medium"), (49, "low")],
)
def test_levels(value, expected):
    assert score.level(value) == expected
