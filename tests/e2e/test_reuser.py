"""An anonymous reuser finds a dataset with the facets and with the words
of the trade ("restauration scolaire" finds the canteen's menus through the
French synonyms), opens it, reads the reuse mention, downloads its file,
calls the API the page points to and follows the API guide's live
examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from ckan.tests import factories

from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

CSV = "date,objet,vote\n2025-01-15,Budget primitif,adopté\n"


def test_a_reuser_searches_opens_downloads_and_calls_the_api(
    journey, territory, create_with_upload
):
    dataset = factories.Dataset(
        name="deliberations-engins",
        title="Délibérations du conseil municipal",
        owner_org=territory["a"]["id"],
        theme=["GOVE"],
        frequency="monthly",
        **dataset_fields(),
    )
    factories.Dataset(
        name="menus-cantine-villard",
        title="Menus de la cantine",
        owner_org=territory["b"]["id"],
        theme=["EDUC"],
        **dataset_fields(),
    )
    create_with_upload(
        CSV,
        "deliberations-2025.csv",
        context={"user": territory["people"]["sysadmin"]["name"]},
        package_id=dataset["id"],
        name="Délibérations 2025",
        format="CSV",
    )
    reuser = journey()
    page = reuser.page

    reuser.go("/dataset/")
    reuser.step("search page")
    assert "2 jeux de données trouvés" in page.inner_text("#content")

    page.click("nav[aria-label='Thèmes'] a:has-text('Gouvernement')")
    page.wait_for_load_state("networkidle")
    reuser.step("search filtered by theme")
    assert "1 jeu de données trouvé" in page.inner_text("#content")

    page.click("text=Délibérations du conseil municipal")
    page.wait_for_load_state("networkidle")
    reuser.step("dataset page")
    assert page.url.endswith("/dataset/deliberations-engins")
    # The mention to copy when reusing: the source, its update, the licence.
    mention = page.inner_text(".territoire-reuse-mention")
    assert mention.startswith("Source : Engins, mise à jour le ")
    assert mention.endswith(", Licence Ouverte 2.0")
    assert "La réutilisation est gratuite." in page.inner_text(".territoire-reuse")

    page.click("text=Délibérations 2025")
    page.wait_for_load_state("networkidle")
    reuser.step("resource page")
    with page.expect_download() as download:
        page.click("a.resource-url-analytics")
    assert download.value.suggested_filename == "deliberations-2025.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8") == CSV

    reuser.go("/dataset/deliberations-engins")
    api_url = page.get_attribute("#api a[href*='package_show']", "href")
    answer = page.request.get(api_url).json()
    assert answer["result"]["title"] == "Délibérations du conseil municipal"
    assert answer["result"]["resources"][0]["name"] == "Délibérations 2025"

    # The API guide, from the dataset's page: its examples answer, no token.
    page.click("#api a:has-text('Guide de l')")
    page.wait_for_load_state("networkidle")
    reuser.step("API guide")
    example = page.get_attribute("a[href*='fq=organization']", "href")
    found = page.request.get(example).json()
    assert found["success"] is True
    assert found["result"]["count"] >= 1
    ttl = page.get_attribute("a[href$='.ttl']", "href")
    assert "dcat:Dataset" in page.request.get(ttl).text()

    # Searching with the words of the trade: French synonyms and elision.
    reuser.go("/dataset/?q=restauration+scolaire")
    reuser.step("search with a synonym")
    assert "Menus de la cantine" in page.inner_text("#content")

    reuser.assert_accessible()
