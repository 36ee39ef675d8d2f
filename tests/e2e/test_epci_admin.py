"""The EPCI's data administrator in the browser: creates the organizations
of the member communes from the territory dashboard, enters a commune's
number of agents there, declares the territory's procurement harvest from
the preset of a national source (a data.gouv.fr dataset, here a local server
answering like it), starts it, watches the job until it has published each
commune's contracts, opens a commune's procurement dataset, its CSV file and
the preview of its contracts table, then the territory's procurement
observatory and its CSV export for French spreadsheets.

The harvest's queues are worked in the test process, stage by stage, as the
gather and fetch workers of `make demo` would."""

from __future__ import annotations

import pytest
from ckan.tests import helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.opendata_territoire.decp.harvester import DecpHarvester
from tests.decp.fake_datagouv import Server
from tests.decp.test_harvester import SLUG, publish_dataset

pytestmark = pytest.mark.usefixtures("clean_datastore")


@pytest.fixture
def datagouv(ckan_config, monkeypatch):
    with Server() as fake:
        monkeypatch.setitem(ckan_config, "ckanext.territoire.datagouv_url", fake.url)
        monkeypatch.setitem(ckan_config, "ckanext.territoire.decp.timeout", "5")
        yield fake


def work_the_queues(source_name: str) -> None:
    """What the harvest workers do with the job the page started."""
    source = helpers.call_action("harvest_source_show", id=source_name)
    (job,) = HarvestJob.filter(source_id=source["id"], status="Running").all()
    harvester = DecpHarvester()
    for object_id in queue.gather_stage(harvester, job) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    context = {"ignore_auth": True}
    helpers.call_action("harvest_jobs_run", context, source_id=source["id"])


def test_the_epci_admin_harvests_the_territorys_procurement_data(
    journey, territory, datagouv
):
    publish_dataset(datagouv)
    admin = journey()
    page = admin.page
    admin.login(territory["people"]["epci_admin"])

    # The territory: the communes the reference data lists and the catalogue
    # lacks are created after a preview.
    admin.go("/organization/ccmv/dashboard")
    admin.step("territory dashboard")
    page.click("a:has-text('Communes membres')")
    page.wait_for_load_state("networkidle")
    admin.step("member communes preview")
    assert "à créer" in page.inner_text(".territoire-territory-init")
    page.click("button:has-text('Créer et mettre à jour ces organisations')")
    page.wait_for_load_state("networkidle")
    admin.step("member communes created")
    assert "Territoire mis à jour" in page.inner_text("body")
    members = helpers.call_action("territoire_territory_show", epci_siren="243801024")[
        "members"
    ]
    assert len(members) == 6  # the CCMV's six communes

    # The number of agents of a commune, entered on the dashboard: whether
    # it must publish is then known.
    admin.go("/organization/ccmv/dashboard")
    page.click("details.territoire-agents-form >> nth=0")
    form = page.locator("details.territoire-agents-form form").first
    form.locator("input[name=agents_count]").fill("62")
    form.locator("input[name=agents_count_date]").fill("2025-01-01")
    form.locator("input[name=agents_count_source]").fill("bilan social 2024")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    admin.step("number of agents entered")
    assert "62 agents" in page.inner_text("table")

    # The harvest source, from the preset of the national JSON files: the
    # form comes filled (type, configuration with the territory's buyers,
    # the EPCI as owner); the URL here is the local data.gouv.fr.
    admin.go("/harvest/new")
    admin.step("new harvest source")
    page.click("a:has-text('Fichiers JSON consolidés du ministère')")
    page.wait_for_load_state("networkidle")
    admin.step("preset chosen")
    assert page.is_checked("input[name=source_type][value=decp]")
    assert '"buyers": [' in page.input_value("#field-config")
    assert page.input_value("#field-organizations") == territory["epci"]["id"]
    page.fill("#field-url", f"{datagouv.url}/fr/datasets/{SLUG}/")
    page.click("#save")
    page.wait_for_load_state("networkidle")
    admin.step("source created")
    name = "decp-fichiers-json"  # the preset's
    source = helpers.call_action("harvest_source_show", id=name)
    assert source["source_type"] == "decp"
    assert source["owner_org"] == territory["epci"]["id"]
    assert source["frequency"] == "WEEKLY"

    admin.go(f"/harvest/admin/{name}")
    admin.step("source administration")
    page.click("a[href*='/harvest/refresh/']")
    page.click(".modal-footer .btn-primary")  # CKAN's confirmation dialog
    page.wait_for_load_state("networkidle")
    admin.step("harvest started")
    assert page.locator(".alert-success, .flash-messages .alert").count() == 1

    work_the_queues(name)
    admin.go(f"/harvest/{name}/job/last")
    admin.step("harvest finished")
    body = page.inner_text("body")
    assert "Finished" in body or "Terminé" in body, body[:2000]

    # Engins' dataset, made by the harvest, with its CSV file.
    admin.go("/organization/engins")
    page.click("a:has-text('Marchés publics — Engins')")
    page.wait_for_load_state("networkidle")
    admin.step("a commune's procurement dataset")
    link = page.locator("a.resource-url-analytics, a:has-text('Télécharger')")
    hrefs = [link.nth(i).get_attribute("href") for i in range(link.count())]
    csv_url = next(h for h in hrefs if h and h.endswith(".csv"))
    response = page.request.get(csv_url)
    assert response.status == 200
    assert "2024-0001" in response.text()

    # The contracts table, previewed with French column labels.
    page.click("a.heading:has-text('Contrats, une ligne chacun')")
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("iframe[title='Aperçu des données']")
    frame.locator("td:has-text('2024-0001')").first.wait_for()
    admin.step("contracts table preview")
    headers = [" ".join(h.split()) for h in frame.locator("thead th").all_inner_texts()]
    assert "Objet" in headers and "Acheteur" in headers, headers

    # The observatory of the territory, filled by the harvest.
    admin.go("/")
    page.click("a[href$='/observatory']")
    page.wait_for_load_state("networkidle")
    admin.step("observatory")
    body = page.inner_text("body")
    assert "Chiffres clés" in body
    assert "Engins" in body and "Villard-de-Lans" in body
    csv_link = page.locator("a:has-text('Télécharger en CSV')")
    export = page.request.get(admin.base_url + csv_link.first.get_attribute("href"))
    assert export.status == 200
    assert "text/csv" in export.headers["content-type"]
    lines = export.text().lstrip("\ufeff").strip().splitlines()
    assert len(lines) >= 2  # a header and figures
    # For French spreadsheets: ";" between French column names.
    assert ";" in lines[0] and "," not in lines[0], lines[0]

    admin.assert_accessible()
