"""Search facets: organization (the commune), theme, licence, schema,
frequency and format, with French titles and the labels of our lists."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from tests.factories import dataset_fields


@pytest.fixture
def two_datasets():
    sysadmin = factories.Sysadmin()
    engins = factories.Organization(name="engins", title="Engins")
    villard = factories.Organization(name="villard-de-lans", title="Villard-de-Lans")
    for org, name, themes, frequency, schema in (
        (engins, "budget-engins", ["ECON", "GOVE"], "annual", "scdl/budget"),
        (villard, "arbres-villard", ["ENVI"], "monthly", None),
    ):
        fields = dataset_fields(theme=themes, frequency=frequency)
        if schema:
            fields["schema_name"] = schema
        helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"]},
            name=name,
            title=name,
            owner_org=org["id"],
            resources=[{"url": f"https://example.org/{name}.csv", "format": "CSV"}],
            **fields,
        )


def facet_blocks(page) -> dict[str, list[str]]:
    """Facet title -> the item labels shown under it (the link's title holds
    the whole label when CKAN truncates a long one)."""
    soup = BeautifulSoup(page.body, "html.parser")
    blocks = {}
    for section in soup.select("section.module-narrow"):
        heading = section.find(["h2", "h3"])
        if heading is None:
            continue
        items = [
            a.get("title") or " ".join(a.select_one(".item-label").get_text().split())
            for a in section.select("li.nav-item a")
            if a.select_one(".item-label")
        ]
        blocks[" ".join(heading.get_text().split())] = items
    return blocks


@pytest.mark.usefixtures("clean_db", "clean_index", "two_datasets")
def test_search_page_shows_the_facets_in_french_with_labels(app):
    blocks = facet_blocks(app.get("/dataset/"))

    assert list(blocks)[:6] == [
        "Collectivités",
        "Thèmes",
        "Licences",
        "Schémas nationaux",
        "Fréquences de mise à jour",
        "Formats",
    ]
    assert sorted(blocks["Collectivités"]) == ["Engins", "Villard-de-Lans"]
    assert sorted(blocks["Thèmes"]) == [
        "Environnement",
        "Gouvernement et secteur public",
        "Économie et finances",
    ]
    assert blocks["Schémas nationaux"] == ["SCDL : Budget des collectivités"]
    assert sorted(blocks["Fréquences de mise à jour"]) == ["Annuelle", "Mensuelle"]
    assert blocks["Formats"] == ["CSV"]


@pytest.mark.usefixtures("clean_db", "clean_index", "two_datasets")
def test_filtering_on_a_theme_keeps_only_its_datasets(app):
    page = app.get("/dataset/?vocab_territoire_theme=ENVI")

    soup = BeautifulSoup(page.body, "html.parser")
    names = [a["href"].rsplit("/", 1)[-1] for a in soup.select(".dataset-heading a")]
    assert names == ["arbres-villard"]


@pytest.mark.usefixtures("clean_db", "clean_index", "two_datasets")
def test_the_api_facets_on_themes_frequency_and_schema():
    result = helpers.call_action(
        "package_search",
        **{
            "facet.field": '["vocab_territoire_theme", "frequency", "schema_name"]',
        },
    )

    facets = result["search_facets"]
    assert {
        i["name"]: i["count"] for i in facets["vocab_territoire_theme"]["items"]
    } == {
        "ECON": 1,
        "GOVE": 1,
        "ENVI": 1,
    }
    assert {i["name"] for i in facets["frequency"]["items"]} == {"annual", "monthly"}
    assert [i["name"] for i in facets["schema_name"]["items"]] == ["scdl/budget"]
