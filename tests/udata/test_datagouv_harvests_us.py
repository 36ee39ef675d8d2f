"""data.gouv.fr can harvest the whole catalogue with both its methods: its
CKAN backend (package_list, package_search with rows=1000, package_show
checked against its schema) and its DCAT backend (/catalog.* page after page
through hydra's links). Each sees exactly the public, active datasets, once,
with the values a reuser on data.gouv.fr would read
(tests/udata/datagouv_reader.py restates how both read a portal)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from tests.factories import dataset_fields
from tests.udata.datagouv_reader import catalogue_pages, read_ckan, read_dcat

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context"),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4"),
]

EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


def create(user: str, **fields: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", {"user": user}, **fields)


@pytest.fixture
def catalogue(territory) -> dict[str, Any]:
    """Nine public datasets in the three organizations (one with nothing but
    the required fields), and one private, one draft and one deleted that
    must not be seen."""
    admin = territory["people"]["sysadmin"]["name"]
    public = {}
    for number in range(1, 8):
        owner = ("villard-de-lans", "engins")[number % 2]
        dataset = create(
            admin,
            name=f"jeu-{number}",
            title=f"Jeu public {number}",
            notes=f"Description du jeu {number}.",
            owner_org=owner,
            tag_string="cantine,menus",
            frequency=("weekly", "annual", "monthly")[number % 3],
            temporal_start="2024-01-01",
            temporal_end="2024-12-31",
            spatial_insee=["38548"],
            contact_name="Service des données",
            contact_email="donnees@villard-de-lans.fr",
            resources=[
                {
                    "name": f"donnees-{number}.csv",
                    "url": f"https://www.villard-de-lans.fr/donnees-{number}.csv",
                    "format": "CSV",
                    "hash": f"{number:040x}",
                }
            ],
            **dataset_fields(license_id=("lov2", "odc-odbl")[number % 2]),
        )
        public[dataset["id"]] = dataset
    minimal = create(
        admin,
        name="minimal",
        title="Le moins possible",
        owner_org="ccmv",
        resources=[{"url": "https://www.ccmv.fr/liste.csv"}],
        **dataset_fields(),
    )
    public[minimal["id"]] = minimal
    no_file = create(
        admin,
        name="sans-fichier",
        title="Sans fichier",
        owner_org="ccmv",
        **dataset_fields(),
    )
    public[no_file["id"]] = no_file
    hidden = [
        create(
            admin,
            name="prive",
            title="Privé",
            owner_org="engins",
            private=True,
            resources=[{"url": "https://www.engins.fr/prive.csv"}],
            **dataset_fields(),
        ),
        create(
            admin,
            name="brouillon",
            title="Brouillon",
            owner_org="engins",
            state="draft",
            resources=[{"url": "https://www.engins.fr/brouillon.csv"}],
            **dataset_fields(),
        ),
        create(
            admin,
            name="supprime",
            title="Supprimé",
            owner_org="villard-de-lans",
            resources=[{"url": "https://www.villard-de-lans.fr/supprime.csv"}],
            **dataset_fields(),
        ),
    ]
    helpers.call_action("package_delete", {"user": admin}, id="supprime")
    return {"public": public, "hidden": {d["id"] for d in hidden}}


def test_search_answers_1000_rows_as_data_gouv_asks():
    assert tk.asint(tk.config.get("ckan.search.rows_max")) >= 1000


def test_the_ckan_backend_sees_every_public_dataset_once(app, catalogue):
    read = read_ckan(app)

    ids = [d["remote_id"] for d in read]
    # Every public dataset with a file, once; the one without a file is
    # skipped by data.gouv.fr itself; nothing private, draft or deleted.
    with_files = {
        i for i, d in catalogue["public"].items() if d["name"] != "sans-fichier"
    }
    assert sorted(ids) == sorted(with_files)
    assert not set(ids) & catalogue["hidden"]


def test_package_search_filtered_on_an_organization_gives_its_datasets(app, catalogue):
    read = read_ckan(app, organization="engins")

    assert sorted(d["title"] for d in read) == [
        "Jeu public 1",
        "Jeu public 3",
        "Jeu public 5",
        "Jeu public 7",
    ]


def test_the_ckan_backend_reads_our_values(app, catalogue):
    read = {d["title"]: d for d in read_ckan(app)}

    first = read["Jeu public 1"]
    assert first["license"] == "odc-odbl"
    assert read["Jeu public 2"]["license"] == "lov2"
    assert first["frequency"] == "annual"  # a udata frequency id
    assert first["temporal"] == ("2024-01-01", "2024-12-31")
    assert first["spatial_uri"] == "http://id.insee.fr/geo/commune/38548"
    assert first["tags"] == ["cantine", "menus"]
    assert first["description"] == "Description du jeu 1."
    (resource,) = first["resources"]
    assert resource == {
        "title": "donnees-1.csv",
        "url": "https://www.villard-de-lans.fr/donnees-1.csv",
        "format": "csv",
        "hash": f"{1:040x}",
        "hash_type": "sha1",
    }
    minimal = read["Le moins possible"]
    assert minimal["license"] == "lov2"
    assert minimal["frequency"] is None and minimal["temporal"] is None
    assert [r["url"] for r in minimal["resources"]] == ["https://www.ccmv.fr/liste.csv"]


@pytest.mark.parametrize("path", ["/catalog.ttl", "/catalog.rdf", "/catalog.jsonld"])
def test_the_dcat_backend_pages_through_every_public_dataset_once(app, catalogue, path):
    pages = catalogue_pages(app, path)
    read = read_dcat(app, path)

    assert len(pages) == 3  # 9 datasets, 4 a page
    ids = [d["remote_id"] for d in read]
    assert sorted(ids) == sorted(catalogue["public"])
    assert not set(ids) & catalogue["hidden"]


def test_the_dcat_backend_reads_our_values(app, catalogue):
    read = {d["title"]: d for d in read_dcat(app)}

    first = read["Jeu public 1"]
    assert first["license"] == "odc-odbl"
    assert read["Jeu public 2"]["license"] == "lov2"
    assert first["frequency"] == EU_FREQUENCY + "ANNUAL"
    assert first["temporal"] == ("2024-01-01", "2024-12-31")
    assert first["contact"] == "donnees@villard-de-lans.fr"
    assert first["tags"] == ["cantine", "menus"]
    (resource,) = first["resources"]
    assert resource["url"] == "https://www.villard-de-lans.fr/donnees-1.csv"
    assert resource["format"] == "csv"
    assert (resource["hash"], resource["hash_type"]) == (f"{1:040x}", "sha1")
    minimal = read["Le moins possible"]
    assert minimal["license"] == "lov2"
    assert [r["url"] for r in minimal["resources"]] == ["https://www.ccmv.fr/liste.csv"]


def test_both_backends_create_the_same_datasets(app, catalogue):
    by_ckan = {d["remote_id"]: d for d in read_ckan(app)}
    by_dcat = {d["remote_id"]: d for d in read_dcat(app)}

    for remote_id, dataset in by_ckan.items():
        other = by_dcat[remote_id]
        for key in ("title", "license", "temporal", "tags"):
            assert dataset[key] == other[key], (remote_id, key)
        assert [r["url"] for r in dataset["resources"]] == [
            r["url"] for r in other["resources"]
        ]


def test_an_anonymous_reader_is_all_data_gouv_needs(app, catalogue):
    """data.gouv.fr harvests without an API key: package_show of a private
    dataset is refused to it, as to anyone anonymous."""
    response = app.get("/api/3/action/package_show", query_string={"id": "prive"})

    assert response.status_code == 403
