"""The reusers' API guide (/guide-api) and the "Data API" pop-up of a table:
in French, public, with examples made from the catalogue that answer when
followed (no token), empty states when the catalogue has nothing to show;
every dataset page links to the guide and shows its DCAT links."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories

from tests.conftest import shared_request_context
from tests.decp.test_import import ENGINS, marche_2022
from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_datastore")


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def links(body: str, selector: str = "a code") -> list[str]:
    soup = BeautifulSoup(body, "html.parser")
    return [code.get_text() for code in soup.select(selector)]


@pytest.fixture
def catalogue(territory, cli, tmp_path):
    with shared_request_context():
        factories.Dataset(
            owner_org=territory["a"]["id"],
            title="Menus de la cantine",
            theme=["EDUC"],
            **dataset_fields(),
        )
    path = tmp_path / "decp.json"
    path.write_text(
        json.dumps(
            {
                "marches": {
                    "marche": [
                        marche_2022(1, ENGINS),
                        marche_2022(2, ENGINS, montant=90000),
                    ]
                }
            }
        ),
        encoding="utf-8",
    )
    result = cli.invoke(ckan_command, ["territoire", "decp", "import", str(path)])
    assert result.exit_code == 0, result.output
    return territory


def test_every_example_of_the_guide_answers_without_a_token(app, catalogue):
    page = app.get("/guide-api")

    assert page.status_code == 200
    assert "Réutiliser les données de ce catalogue" in page.body
    urls = links(page.body)
    assert len(urls) >= 10
    for url in urls:
        response = app.get(local(url))
        assert response.status_code == 200, url
        if "/api/3/action/" in url:
            assert response.json["success"] is True, url
    by_commune = next(u for u in urls if "fq=organization" in u)
    assert app.get(local(by_commune)).json["result"]["count"] >= 1
    by_theme = next(u for u in urls if "vocab_territoire_theme" in u)
    assert app.get(local(by_theme)).json["result"]["count"] == 1
    filtered = next(u for u in urls if "filters=" in u)
    records = app.get(local(filtered)).json["result"]["records"]
    procedures = {r["procedure"] for r in records}
    assert records and len(procedures) == 1
    text = BeautifulSoup(page.body, "html.parser").get_text(" ", strip=True)
    assert f"(ici {procedures.pop()})" in text


def test_an_empty_catalogue_says_so(app, territory):
    page = app.get("/guide-api")

    assert page.status_code == 200
    assert "Aucune table de ce catalogue n'est encore dans le DataStore." in page.body
    assert "Le catalogue n'a pas encore de jeu de données public." in page.body


def test_the_data_api_popup_is_french_and_needs_no_token(app, catalogue):
    dataset = app.get("/api/3/action/package_search?fq=decp_buyer_siren:[* TO *]").json[
        "result"
    ]["results"][0]
    table = next(r for r in dataset["resources"] if r.get("datastore_active"))

    popup = app.get(f"/api/1/util/snippet/api_info.html?resource_id={table['id']}")

    assert "API de données" in popup.body
    assert "Cette table se lit ligne par ligne" in popup.body
    for word in ("jones", "watershed", "Authorization"):
        assert word not in popup.body
    for url in links(popup.body):
        assert app.get(local(url)).status_code == 200, url


def test_every_dataset_page_links_to_the_guide_and_its_dcat(app, catalogue):
    name = app.get("/api/3/action/package_search?q=cantine").json["result"]["results"][
        0
    ]["name"]

    page = app.get(f"/dataset/{name}")

    soup = BeautifulSoup(page.body, "html.parser")
    hrefs = [a["href"] for a in soup.select(".territoire-api-access a")]
    assert any(h.endswith("/guide-api") for h in hrefs)
    turtle = next(h for h in hrefs if h.endswith(f"/dataset/{name}.ttl"))
    assert app.get(local(turtle)).status_code == 200
