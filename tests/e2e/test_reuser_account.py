"""A reuser in the browser: sees the table preview of an uploaded CSV file,
creates an account from the "declare a reuse" button, declares the reuse of
the dataset; the commune's editor accepts it and every visitor sees it on the
dataset's page. Offline: schema.data.gouv.fr cannot be reached (the file is
previewed all the same), and no request leaves the machine (the journey's
own check)."""

from __future__ import annotations

import io

import pytest
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from tests.factories import dataset_fields
from tests.quality.conftest import (  # noqa: F401 (fixtures)
    run_jobs,
    schema_catalogue,
    schemas_offline,
)
from tests.quality.test_preview import MENUS

pytestmark = pytest.mark.usefixtures(
    "clean_db", "clean_index", "clean_queues", "clean_datastore"
)


@pytest.mark.usefixtures("schemas_offline")
def test_a_reuser_previews_a_file_signs_up_and_declares_a_reuse(journey, territory):
    editor = territory["people"]["editor_a"]
    dataset = factories.Dataset(
        name="menus-cantine-engins",
        title="Menus de la cantine",
        owner_org=territory["a"]["id"],
        **dataset_fields(),
    )
    resource = helpers.call_action(
        "resource_create",
        context={"user": editor["name"]},
        package_id=dataset["id"],
        name="Menus de janvier",
        format="CSV",
        upload=FileStorage(io.BytesIO(MENUS), "menus.csv"),
    )
    run_jobs()  # the validation job: loads the file into the DataStore

    reuser = journey()
    page = reuser.page
    reuser.go(f"/dataset/menus-cantine-engins/resource/{resource['id']}")
    frame = page.frame_locator("iframe[title='Aperçu des données']")
    frame.locator("td:has-text('Hachis parmentier')").wait_for()
    reuser.step("preview of the uploaded file")
    assert frame.locator("th:has-text('Entrée')").count() >= 1

    reuser.go("/dataset/menus-cantine-engins")
    page.click("a:has-text('Déclarer une réutilisation de ce jeu de données')")
    page.wait_for_load_state("networkidle")
    reuser.step("asked to sign in")
    assert "Connectez-vous pour déclarer une réutilisation" in page.inner_text("body")
    page.click("main a[href*='/user/register'], #content a[href*='/user/register']")
    page.wait_for_load_state("networkidle")
    reuser.step("sign-up form")
    page.fill("#field-username", "claire-reutilisatrice")
    page.fill("#field-fullname", "Claire Martin")
    page.fill("#field-email", "claire@example.org")
    page.fill("#field-password", "un-mot-de-passe-solide")
    page.fill("#field-confirm-password", "un-mot-de-passe-solide")
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    reuser.step("account created")
    assert helpers.call_action("user_show", id="claire-reutilisatrice")["state"] == (
        "active"
    )

    reuser.go("/dataset/menus-cantine-engins")
    page.click("a:has-text('Déclarer une réutilisation de ce jeu de données')")
    page.wait_for_load_state("networkidle")
    reuser.step("reuse form")
    assert page.input_value("#datasets") == "menus-cantine-engins"
    page.fill("#title", "Les menus de la vallée")
    page.fill("#url", "https://menus-vallee.example.org/")
    page.select_option("#type", index=1)
    page.click("form.territoire-reuse-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    reuser.step("reuse declared")
    assert "dès que l'organisation" in page.inner_text(".flash-messages")

    # The commune's editor accepts it; every visitor sees it.
    commune = journey()
    commune.login(editor)
    commune.go("/organization/engins/reuses")
    commune.step("reuses waiting")
    commune.page.click("button.btn-primary:has-text('Publier')")
    commune.page.wait_for_load_state("networkidle")
    commune.step("reuse accepted")

    visitor = journey()
    visitor.go("/dataset/menus-cantine-engins")
    visitor.step("dataset with its reuse")
    assert "Les menus de la vallée" in visitor.page.inner_text("#reuses")

    for tab in (reuser, commune, visitor):
        tab.assert_accessible()
