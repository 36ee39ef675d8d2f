"""The conversion through CKAN: the action territoire_scdl_convert on the
spreadsheets of fixtures/, publication as a resource with its schema, the
mapping remembered for next month's file, the original kept or not, the
personal-data guard, the background job, and who may do it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from ckan import logic, model
from ckan.lib import jobs
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from tests.people import ROLES
from tests.quality.conftest import complete_fields, context_of, run_jobs

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENGINS_SIRET = "21380153300018"


def file_of(name: str) -> FileStorage:
    return FileStorage(io.BytesIO((FIXTURES / name).read_bytes()), name)


@pytest.fixture
def dataset(territory):
    """A public dataset of commune A, whose organization has its SIRET."""
    helpers.call_action(
        "organization_patch",
        context=context_of(territory, "sysadmin"),
        id=territory["a"]["id"],
        siret=ENGINS_SIRET,
    )
    return helpers.call_action(
        "package_create",
        context=context_of(territory, "editor_a"),
        owner_org=territory["a"]["id"],
        name="deliberations-engins",
        title="Délibérations d'Engins",
        **complete_fields(),
    )


def as_user(territory, role):
    """The context of ``role``, whose rights are checked."""
    return {**context_of(territory, role), "ignore_auth": False}


def convert(territory, dataset, name, role="editor_a", **params):
    return helpers.call_action(
        "territoire_scdl_convert",
        context=as_user(territory, role),
        id=dataset["id"],
        upload=file_of(name),
        **params,
    )


def test_a_spreadsheet_is_recognised_mapped_converted_and_valid(territory, dataset):
    result = convert(territory, dataset, "deliberations.ods")
    assert result["schema"]["name"] == "scdl/deliberations"
    assert "12 of the 12 columns" in result["recognition"]["candidates"][0]["reason"]
    assert result["mapping_source"] == "proposed"
    assert result["mapping"]["values"] == {
        "COLL_NOM": "Engins",
        "COLL_SIRET": ENGINS_SIRET,
    }
    report = result["report"]
    assert report["validation"]["valid"], report["validation"]["errors"]
    assert report["changes"]["date"] == 18
    assert report["personal_data"] == []
    assert (
        result["csv"].splitlines()[1].startswith(f"Engins,{ENGINS_SIRET},2025-11-001,")
    )
    assert [f["name"] for f in result["unmapped"]] == [
        "BUDGET_ANNEE",
        "BUDGET_NOM",
        "PREF_ID",
    ]


def test_publishing_adds_the_file_with_its_schema_and_remembers_the_mapping(
    territory, dataset
):
    first = convert(territory, dataset, "deliberations-2025-11.ods", publish=True)
    resources = helpers.call_action("package_show", id=dataset["id"])["resources"]
    assert len(resources) == 1
    published = resources[0]
    assert published["schema_name"] == "scdl/deliberations"
    assert published["schema_version"] == "2.1.5"
    assert published["url_type"] == "upload"
    assert first["published"]["dataset_private"] is False
    # Next month: the same spreadsheet, in one step, with the mapping kept.
    given = {**first["mapping"]["columns"], "BUDGET_NOM": "Budget concerné"}
    helpers.call_action(
        "territoire_scdl_convert",
        context=context_of(territory, "editor_a"),
        id=dataset["id"],
        upload=file_of("deliberations-2025-11.ods"),
        mapping={"columns": given, "values": first["mapping"]["values"]},
        publish=True,
    )
    second = convert(territory, dataset, "deliberations-2025-12.ods", publish=True)
    assert second["mapping_source"] == "remembered"
    assert second["mapping"]["columns"]["BUDGET_NOM"] == "Budget concerné"
    assert second["report"]["validation"]["valid"]
    resources = helpers.call_action("package_show", id=dataset["id"])["resources"]
    # The file published last time is replaced, not added again.
    assert [r["id"] for r in resources] == [published["id"]]


def test_the_original_file_is_kept_as_a_second_resource_when_asked(territory, dataset):
    convert(territory, dataset, "budget.xlsx", publish=True, keep_original=True)
    resources = helpers.call_action("package_show", id=dataset["id"])["resources"]
    assert [(r["format"], r.get("schema_name")) for r in resources] == [
        ("CSV", "scdl/budget"),
        ("XLSX", None),
    ]


def test_personal_data_in_the_result_keeps_the_dataset_private(territory, dataset):
    text = (
        "Date de la convention;Bénéficiaire;Objet;Montant;Courriel\n"
        "03/12/2025;M. Jean Dupont;Aide;1 500,00;jean.dupont@gmail.com\n"
    )
    result = helpers.call_action(
        "territoire_scdl_convert",
        context=context_of(territory, "editor_a"),
        id=dataset["id"],
        upload=FileStorage(io.BytesIO(text.encode()), "aides.csv"),
        schema="scdl/subventions",
        mapping={
            "columns": {
                "dateConvention": "Date de la convention",
                "nomBeneficiaire": "Bénéficiaire",
                "objet": "Objet",
                "montant": "Montant",
                "idBeneficiaire": "Courriel",
            }
        },
        publish=True,
    )
    assert [f["kind"] for f in result["report"]["personal_data"]] == ["email"]
    assert result["published"]["blocked_by_guard"] is True
    assert model.Package.get(dataset["id"]).private is True


def test_a_large_file_converts_as_a_background_job_with_progress(
    territory, dataset, ckan_config, monkeypatch
):
    monkeypatch.setitem(ckan_config, "ckanext.territoire.scdl_convert_background_kb", 1)
    jobs.get_queue().empty()
    queued = convert(territory, dataset, "budget.xlsx")
    assert queued["status"] == "queued"
    assert "csv" not in queued
    assert run_jobs() == 1
    done = helpers.call_action(
        "territoire_scdl_conversion_show",
        context=context_of(territory, "editor_a"),
        id=queued["id"],
    )
    assert (done["status"], done["rows_done"], done["rows_total"]) == ("done", 8, 8)
    assert done["report"]["validation"]["valid"]
    published = helpers.call_action(
        "territoire_scdl_conversion_publish",
        context=context_of(territory, "editor_a"),
        id=queued["id"],
    )
    assert published["resource"]["schema_name"] == "scdl/budget"


def test_an_unconvertible_value_is_explained_in_french(app, territory, dataset):
    text = "Date de la séance;Objet;N° délibération\n32/13/2025;Budget;D1\n"
    response = app.post(
        "/api/action/territoire_scdl_convert",
        data={
            "id": dataset["id"],
            "upload": (io.BytesIO(text.encode()), "delib.csv"),
        },
        headers={
            "Authorization": territory["people"]["editor_a"]["token"],
            "Accept-Language": "fr",
        },
        extra_environ={"CKAN_LANG": "fr"},
    )
    assert response.status_code == 200, response.body
    problem = response.json["result"]["report"]["problems"][0]
    assert (problem["row"], problem["column"], problem["value"]) == (
        2,
        "Date de la séance",
        "32/13/2025",
    )
    assert problem["message"]


ALLOWED = {"editor_a", "admin_a", "sysadmin"}


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_may_change_the_dataset_convert(territory, dataset, role):
    if role in ALLOWED:
        assert convert(territory, dataset, "equipements.ods", role=role)["report"]
    else:
        with pytest.raises(logic.NotAuthorized):
            convert(territory, dataset, "equipements.ods", role=role)
