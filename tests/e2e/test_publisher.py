"""A commune's editor starts open data in the browser: the guide, part of the
readiness checklist, a first dataset created with the form (the licence
chooser, the national schema it follows), a file that fails the schema, its
report read (in French, offline: schema.data.gouv.fr cannot be reached, the
snapshot shipped with the extension is used), the file fixed and published;
an editor of another commune cannot touch it.

The validation job the upload queues is run by a real RQ worker in the test
process, as the jobs worker of `make demo` would."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests import factories, helpers

from tests.factories import dataset_fields
from tests.quality.conftest import (  # noqa: F401 (fixtures)
    FIXTURES,
    run_jobs,
    schema_catalogue,
    schemas_offline,
)

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues")


@pytest.mark.usefixtures("schemas_offline")
def test_an_editor_follows_the_guide_answers_the_checklist_and_publishes(
    journey, territory
):
    editor = journey()
    page = editor.page
    editor.login(territory["people"]["editor_a"])
    editor.step("signed in")

    editor.go("/organization/engins")
    page.click("a:has-text('Bien démarrer')")
    page.wait_for_load_state("networkidle")
    editor.step("guide")
    assert page.locator(".territoire-guide h2").count() == 4

    page.click("a:has-text('Liste de préparation')")
    page.wait_for_load_state("networkidle")
    editor.step("checklist")
    page.check("#answer-inventory-yes")
    page.check("#answer-elected-sponsor-in_progress")
    page.click("form.territoire-checklist button[type=submit]")
    page.wait_for_load_state("networkidle")
    editor.step("checklist answered")
    assert "Réponses enregistrées : 2." in page.inner_text("body")

    editor.go("/organization/engins/guide")
    page.click("a:has-text('Créer un jeu de données')")
    page.wait_for_load_state("networkidle")
    editor.step("dataset form")
    page.fill("#field-title", "Délibérations du conseil municipal")
    page.fill("#field-notes", "Les délibérations depuis 2020, une ligne par vote.")
    # The licence chooser, inside the form: the commune wants improvements
    # shared back, so it recommends the ODbL and selects it.
    page.click("summary:has-text('quatre questions')")
    page.check("#licence_question_share_alike-yes")
    page.click("button[name=territoire_licence_recommend]")
    page.wait_for_load_state("networkidle")
    editor.step("licence recommended")
    assert page.input_value("#field-license_id") == "odc-odbl"
    assert page.input_value("#field-title") == "Délibérations du conseil municipal"
    page.select_option("#field-personal_data", "none")
    page.select_option("#field-schema_name", "scdl/deliberations")
    page.select_option("#field-private", "True")  # a draft until the file is right
    page.click("button.btn-primary[name=save]")
    page.wait_for_load_state("networkidle")
    editor.step("resource form")

    # The town hall's export: dates written the French way, a SIRET cut short.
    page.set_input_files(
        "#field-resource-upload", str(FIXTURES / "files" / "deliberations_invalid.csv")
    )
    page.fill("#field-name", "Délibérations 2025")
    page.click("button[name=save][value=go-metadata]")
    page.wait_for_load_state("networkidle")
    editor.step("dataset saved as a draft")

    assert run_jobs() == 1  # the validation against the SCDL schema
    page.click("a:has-text('Délibérations 2025')")
    page.wait_for_load_state("networkidle")
    editor.step("validation report")
    report = page.inner_text(".territoire-validation")
    assert "Non conforme au schéma « Délibérations »" in report
    assert "n'est pas une date" in report
    assert "Écrivez les dates au format AAAA-MM-JJ" in report
    # Offline: the schema came from the snapshot shipped with the extension.
    assert "copie du schéma national livrée avec le portail" in report, report

    # Fixed in the spreadsheet, sent again.
    page.click("a:has-text('Modifier la ressource')")
    page.wait_for_load_state("networkidle")
    remove = page.locator(".image-upload .btn-remove, a:has-text('Retirer')")
    if remove.count():
        remove.first.click()
    page.set_input_files(
        "#field-resource-upload", str(FIXTURES / "files" / "deliberations_valid.csv")
    )
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    assert run_jobs() == 1
    page.reload()
    page.wait_for_load_state("networkidle")
    editor.step("file fixed")
    assert "Conforme au schéma « Délibérations »" in page.inner_text(
        ".territoire-validation"
    )

    # Published: the dataset made public from its edit form.
    editor.go("/dataset/edit/deliberations-du-conseil-municipal")
    page.select_option("#field-private", "False")
    page.click("button.btn-primary[name=save]")
    page.wait_for_load_state("networkidle")
    editor.step("dataset published")

    # What the server committed, read in a fresh session (the worker run in
    # this thread above left the draft in this thread's session).
    model.Session.remove()
    # The address comes from the title (CKAN's slug preview).
    dataset = helpers.call_action(
        "package_show", id="deliberations-du-conseil-municipal"
    )
    assert dataset["state"] == "active"
    assert dataset["private"] is False
    assert dataset["owner_org"] == territory["a"]["id"]
    assert dataset["schema_name"] == "scdl/deliberations"
    assert [r["name"] for r in dataset["resources"]] == ["Délibérations 2025"]
    assert dataset["resources"][0]["url_type"] == "upload"
    assert dataset["resources"][0]["url"].endswith("deliberations_valid.csv")

    editor.assert_accessible()


def test_an_editor_of_another_commune_cannot_edit_the_dataset(journey, territory):
    factories.Dataset(
        name="budget-engins",
        title="Budget d'Engins",
        owner_org=territory["a"]["id"],
        **dataset_fields(),
    )
    other = journey()
    other.login(territory["people"]["editor_b"])

    other.go("/dataset/budget-engins")
    other.step("the other commune's dataset")
    assert other.page.locator("a:has-text('Gérer')").count() == 0

    response = other.go("/dataset/edit/budget-engins")
    other.step("edit refused")
    assert response.status == 403
    unchanged = helpers.call_action("package_show", id="budget-engins")
    assert unchanged["title"] == "Budget d'Engins"

    other.assert_accessible()
