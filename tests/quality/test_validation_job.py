"""The validation job, end to end: an upload or a change of link queues a job
on the real Redis once the dataset is saved; a real RQ worker runs it; the
report is stored on the resource, read through the action, shown in French
on the file's page, as a badge in search results, and counted in the quality
score. The schema catalogue is served by a local server."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from ckan import logic
from ckan.lib import jobs
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from tests.quality.conftest import (
    ROLES,
    complete_fields,
    context_of,
    fixture_file,
    headers,
    run_jobs,
    user_of,
)

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues")


def as_user(territory, role="editor_a"):
    return {"context": context_of(territory, role)}


def create_dataset(territory, name="deliberations", **fields):
    return helpers.call_action(
        "package_create",
        owner_org=territory["a"]["id"],
        name=name,
        title=name,
        **complete_fields(**fields),
        **as_user(territory),
    )


def upload(territory, dataset, filename, **fields):
    return helpers.call_action(
        "resource_create",
        package_id=dataset["id"],
        name=filename,
        format="CSV",
        upload=FileStorage(io.BytesIO(fixture_file(filename)), filename),
        **fields,
        **as_user(territory),
    )


def link(territory, dataset, url, **fields):
    return helpers.call_action(
        "resource_create",
        package_id=dataset["id"],
        url=url,
        **{"format": "CSV", **fields},
        **as_user(territory),
    )


def validation_of(resource, territory=None, role="anonymous"):
    context = context_of(territory, role) if territory else {}
    return helpers.call_action(
        "territoire_validation_show", context=context, id=resource["id"]
    )


def criterion(dataset_name, name):
    quality = helpers.call_action("territoire_quality_show", id=dataset_name)
    return next(c for c in quality["criteria"] if c["id"] == name)


@pytest.mark.usefixtures("schema_catalogue")
def test_an_upload_is_validated_by_the_background_job(territory):
    dataset = create_dataset(territory, schema_name="scdl/deliberations")
    resource = upload(territory, dataset, "deliberations_valid.csv")

    assert validation_of(resource)["status"] == "pending"
    assert validation_of(resource)["message"] == "Validation in progress."
    assert run_jobs() == 1

    result = validation_of(resource)
    assert result["status"] == "valid"
    assert result["reachable"] is True
    assert result["schema"]["name"] == "scdl/deliberations"
    assert result["schema"]["version"] == "2.1.5"
    assert result["message"] == (
        'Conforms to the schema "Délibérations" 2.1.5: 3 rows, 17 columns.'
    )
    assert criterion("deliberations", "schema_conformance")["met"] is True


@pytest.mark.usefixtures("schema_catalogue")
def test_an_invalid_file_has_its_report_and_fails_the_criterion(territory):
    dataset = create_dataset(
        territory, schema_name="scdl/deliberations", schema_version="2.1.5"
    )
    resource = upload(territory, dataset, "deliberations_invalid.csv")

    run_jobs()

    result = validation_of(resource)
    assert result["status"] == "invalid"
    assert result["message"] == (
        'Does not conform to the schema "Délibérations" 2.1.5: 6 errors in 3 rows '
        "and 13 columns."
    )
    first = result["report"]["errors"][1]
    assert (first["row"], first["field"], first["value"]) == (
        2,
        "COLL_SIRET",
        "2138015330",
    )
    assert first["message"] == (
        'Row 2, column "COLL_SIRET": "2138015330" does not have the expected form.'
    )
    assert first["fix"] == "Expected form: like 21860194600013."
    found = criterion("deliberations", "schema_conformance")
    assert (found["met"], found["facts"]["invalid"]) == (
        False,
        ["deliberations_invalid.csv"],
    )


@pytest.mark.usefixtures("schema_catalogue")
def test_the_file_page_shows_the_report_in_french(app, territory):
    dataset = create_dataset(territory, schema_name="scdl/deliberations")
    resource = upload(territory, dataset, "deliberations_invalid.csv")
    run_jobs()

    page = BeautifulSoup(
        app.get(f"/dataset/deliberations/resource/{resource['id']}").body,
        "html.parser",
    )

    section = page.select_one(".territoire-validation")
    assert section.select_one(".territoire-validation-summary").get_text(
        strip=True
    ) == (
        "Non conforme au schéma « Délibérations » 2.1.5 : 6 erreurs sur 3 lignes "
        "et 13 colonnes."
    )
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in section.select("table.territoire-validation-errors tbody tr")
    ]
    assert rows[0] == [
        "—",
        "DELIB_MATIERE_NOM",
        "La colonne « DELIB_MATIERE_NOM » est absente.",
        "Ajoutez une colonne nommée exactement « DELIB_MATIERE_NOM » : le schéma "
        "l'exige.",
    ]
    assert rows[2] == [
        "2",
        "DELIB_DATE",
        "Ligne 2, colonne « DELIB_DATE » : « 15/01/2024 » n'est pas une date.",
        "Écrivez les dates au format AAAA-MM-JJ, par exemple 2024-01-15.",
    ]
    # Anonymous readers may not validate again.
    assert "Valider de nouveau" not in section.get_text()


@pytest.mark.usefixtures("schema_catalogue")
def test_search_results_show_a_badge(app, territory):
    valid = create_dataset(territory, name="budget", schema_name="scdl/budget")
    upload(territory, valid, "budget_valid.csv")
    invalid = create_dataset(
        territory, name="subventions", schema_name="scdl/subventions"
    )
    upload(territory, invalid, "subventions_invalid.csv")
    create_dataset(territory, name="sans-schema")
    run_jobs()

    page = BeautifulSoup(app.get("/dataset/").body, "html.parser")

    badges = {
        item.select_one("h2 a").get_text(strip=True): item.select_one(
            ".territoire-schema-badge"
        )
        for item in page.select("li.dataset-item")
    }
    assert badges["budget"].get_text(strip=True) == "Conforme à son schéma"
    assert badges["subventions"].get_text(strip=True) == "Non conforme à son schéma"
    assert badges["sans-schema"] is None


@pytest.mark.usefixtures("schema_catalogue")
def test_a_linked_file_is_validated_and_the_latest_version_used(territory, site):
    site.expect_request("/subventions.csv").respond_with_data(
        fixture_file("subventions_invalid.csv"), content_type="text/csv"
    )
    dataset = create_dataset(
        territory, name="subventions", schema_name="scdl/subventions"
    )

    resource = link(territory, dataset, site.url_for("/subventions.csv"))
    run_jobs()

    result = validation_of(resource)
    assert result["status"] == "invalid"
    assert result["schema"]["version"] == "2.1.1"
    assert result["report"]["delimiter"] == ";"
    assert [e["field"] for e in result["report"]["errors"]] == [
        "rnaBeneficiaire",
        "montant",
        "nature",
        "pourcentageSubvention",
        "datesPeriodeVersement",
        "notificationUE",
    ]


@pytest.mark.usefixtures("schema_catalogue")
def test_the_schema_of_a_file_overrides_its_datasets(territory):
    dataset = create_dataset(territory, name="finances", schema_name="scdl/budget")

    resource = upload(
        territory,
        dataset,
        "subventions_valid.csv",
        schema_name="scdl/subventions",
        schema_version="2.1.1",
    )
    run_jobs()

    result = validation_of(resource)
    assert (result["status"], result["schema"]["name"]) == ("valid", "scdl/subventions")


@pytest.mark.usefixtures("schema_catalogue")
def test_an_unknown_version_or_a_json_schema_is_said_so(territory):
    dataset = create_dataset(territory, name="decp", schema_name="scdl/budget")
    wrong_version = upload(
        territory,
        dataset,
        "budget_valid.csv",
        schema_name="scdl/budget",
        schema_version="9.9.9",
    )
    decp = upload(
        territory,
        dataset,
        "budget_valid.csv",
        schema_name="139bercy/format-commande-publique",
    )
    run_jobs()

    assert validation_of(wrong_version)["message"] == (
        'Not validated: the schema "scdl/budget" has no version 9.9.9.'
    )
    assert validation_of(decp)["status"] == "unsupported"
    assert validation_of(decp)["message"] == (
        'This file is not validated here: the schema "Données essentielles des '
        'marchés publics français" 2.0.1 is not a table schema.'
    )


def test_the_catalogue_is_read_once_then_from_the_cache(territory, schema_catalogue):
    dataset = create_dataset(territory, name="budget", schema_name="scdl/budget")
    upload(territory, dataset, "budget_valid.csv")
    upload(territory, dataset, "budget_invalid.csv")

    run_jobs()

    fetched = [request.path for request, _ in schema_catalogue.log]
    assert fetched.count("/schemas.json") == 1
    assert fetched.count("/schemas/scdl/budget/latest/schema.json") == 1


def test_an_unreachable_catalogue_does_not_count_against_the_file(
    territory, schema_catalogue
):
    # A version the shipped snapshot does not hold (it holds 0.8.3; see
    # test_schemas_snapshot.py for the versions it holds).
    dataset = create_dataset(
        territory, name="budget", schema_name="scdl/budget", schema_version="0.8.2"
    )
    schema_catalogue.clear_all_handlers()
    schema_catalogue.expect_request("/schemas.json").respond_with_data("", status=503)
    resource = upload(territory, dataset, "budget_valid.csv")
    run_jobs()

    result = validation_of(resource)
    assert (result["status"], result["reason"]) == ("error", "catalog_unreachable")
    assert result["message"] == (
        "Not validated: the catalogue of national schemas could not be read."
    )
    found = criterion("budget", "schema_conformance")
    assert found["met"] is None


@pytest.mark.usefixtures("schema_catalogue")
def test_an_editor_validates_again(territory):
    dataset = create_dataset(territory, name="budget", schema_name="scdl/budget")
    resource = upload(territory, dataset, "budget_valid.csv")
    run_jobs()

    result = helpers.call_action(
        "territoire_resource_validate", id=resource["id"], **as_user(territory)
    )

    assert result["status"] == "pending"
    assert run_jobs() == 1
    assert validation_of(resource)["status"] == "valid"


@pytest.mark.usefixtures("schema_catalogue")
def test_only_a_change_of_content_or_schema_queues_a_job(territory):
    dataset = create_dataset(territory, name="budget", schema_name="scdl/budget")
    resource = upload(territory, dataset, "budget_valid.csv")
    run_jobs()
    queue = jobs.get_queue()

    helpers.call_action(
        "package_patch", id=dataset["id"], title="Budget 2024", **as_user(territory)
    )
    unchanged = queue.count
    helpers.call_action(
        "resource_patch",
        id=resource["id"],
        url="https://www.engins.fr/budget.csv",
        url_type="",
        **as_user(territory),
    )
    changed_link = queue.count
    helpers.call_action(
        "package_patch", id=dataset["id"], schema_version="0.8.3", **as_user(territory)
    )

    assert (unchanged, changed_link, queue.count) == (0, 1, 2)
    assert validation_of(resource)["status"] == "pending"


def test_a_link_that_does_not_answer_is_not_reachable(territory, site):
    site.expect_request("/absent.csv").respond_with_data("", status=404)
    dataset = create_dataset(territory, name="parkings")
    resource = link(territory, dataset, site.url_for("/absent.csv"))

    run_jobs()

    assert validation_of(resource)["reachable"] is False
    found = criterion("parkings", "resources_reachable")
    assert (found["met"], found["facts"]["unreachable"]) == (False, ["absent.csv"])


def test_a_link_that_is_not_a_table_is_only_probed(territory, site):
    site.expect_request("/notice.pdf").respond_with_data(b"%PDF-1.4" * 1000)
    dataset = create_dataset(territory, name="parkings")
    resource = link(territory, dataset, site.url_for("/notice.pdf"), format="PDF")

    run_jobs()

    result = validation_of(resource)
    assert (result["status"], result["reachable"]) == ("none", True)
    assert criterion("parkings", "resources_reachable")["met"] is True


def test_a_linked_file_with_personal_data_makes_its_dataset_private(territory, site):
    site.expect_request("/inscrits.csv").respond_with_data(
        "Nom;Adresse\nM. Jean Dupont;12 rue des Écoles\n".encode("cp1252")
    )
    dataset = create_dataset(territory, name="cantine")
    resource = link(territory, dataset, site.url_for("/inscrits.csv"))
    assert helpers.call_action("package_show", id="cantine")["private"] is False

    run_jobs()

    assert helpers.call_action("package_show", id="cantine")["private"] is True
    found = helpers.call_action(
        "territoire_personal_data_show", id=resource["id"], **as_user(territory)
    )
    assert found["blocking"] is True
    assert found["check"]["suspended"] is True
    names = {d["name"] for d in helpers.call_action("package_search")["results"]}
    assert "cantine" not in names


def test_the_score_in_the_index_follows_the_job(territory, site):
    site.expect_request("/absent.csv").respond_with_data("", status=404)
    dataset = create_dataset(territory, name="parkings")
    link(territory, dataset, site.url_for("/absent.csv"))

    def indexed(score):
        return helpers.call_action("package_search", fq=f"quality_score:{score}")[
            "count"
        ]

    # A file not checked yet counts as reachable: 9 criteria of 9; once the
    # job found the link broken, 8 of 9.
    before = (indexed("100"), indexed("089"))
    run_jobs()

    assert before == (1, 0)
    assert (indexed("100"), indexed("089")) == (0, 1)


# Who may read the report and validate again.

READ_PRIVATE = {
    "anonymous": False,
    "other": False,
    "member_a": True,
    "editor_a": True,
    "admin_a": True,
    "editor_b": False,
    "admin_b": False,
    # The admins of the commune's EPCI read its private datasets.
    "epci_admin": True,
    "sysadmin": True,
}
EDIT = {**READ_PRIVATE, "member_a": False, "epci_admin": False}


def allowed(territory, auth, role, resource_id):
    try:
        helpers.call_auth(auth, context_of(territory, role), id=resource_id)
    except logic.NotAuthorized:
        return False
    return True


@pytest.mark.parametrize(
    ("auth", "private", "expected"),
    [
        ("territoire_validation_show", False, dict.fromkeys(ROLES, True)),
        ("territoire_validation_show", True, READ_PRIVATE),
        ("territoire_resource_validate", False, EDIT),
    ],
)
def test_auth_matrix_of_the_validation_actions(territory, auth, private, expected):
    dataset = create_dataset(territory, name="parkings", private=private)
    resource = link(territory, dataset, "https://www.engins.fr/parkings.csv")

    result = {role: allowed(territory, auth, role, resource["id"]) for role in ROLES}

    assert result == expected


def test_validating_again_through_the_page_answers_by_role(app, territory):
    dataset = create_dataset(territory, name="parkings")
    resource = link(territory, dataset, "https://www.engins.fr/parkings.csv")
    url = f"/dataset/parkings/resource/{resource['id']}/validate"

    statuses = {
        role: app.post(
            url, headers=headers(user_of(territory, role)), follow_redirects=False
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 302 if EDIT[role] else 403 for role in ROLES}
