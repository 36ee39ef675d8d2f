"""The reuse mention (licences/mention.py): source, date of last update and
licence, as the Licence Ouverte 2.0 asks, for every dataset; in package_show
and on the dataset page, with the licence box and the fee."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from ckanext.opendata_territoire.licences import mention
from tests.licences.conftest import FIXTURES, accepted, dataset, shown

VILLARD = {"title": "Commune de Villard-de-Lans", "name": "villard-de-lans"}


def shown_dataset(**fields: Any) -> dict[str, Any]:
    """A package_show dict, as far as the mention reads it."""
    return {
        "organization": VILLARD,
        "license_id": "lov2",
        "metadata_modified": "2026-04-02T08:30:00.123456",
        "resources": [],
        **fields,
    }


# Dates


@pytest.mark.parametrize(
    ("date", "language", "expected"),
    [
        (dt.date(2026, 3, 12), "fr", "12 mars 2026"),
        (dt.date(2026, 3, 1), "fr", "1er mars 2026"),
        (dt.date(2025, 8, 31), "fr", "31 août 2025"),
        (dt.date(2026, 2, 1), "fr_FR", "1er février 2026"),
        (dt.date(2026, 3, 12), "en", "12 March 2026"),
        (dt.date(2026, 12, 1), "en", "1 December 2026"),
    ],
)
def test_dates_are_written_in_words(date, language, expected):
    assert mention.format_date(date, language) == expected


def test_the_date_of_the_data_comes_first():
    dated = shown_dataset(
        data_updated="2026-03-12",
        resources=[{"last_modified": "2026-03-20T10:00:00"}],
    )

    assert mention.last_update(dated) == dt.date(2026, 3, 12)


def test_without_it_the_latest_file_change_is_the_last_update():
    dated = shown_dataset(
        resources=[
            {"last_modified": "2026-01-15T09:00:00"},
            {"last_modified": "2026-03-20T23:59:59.999999"},
            {"last_modified": None},
        ]
    )

    assert mention.last_update(dated) == dt.date(2026, 3, 20)


def test_without_either_the_last_change_of_the_metadata_is_the_last_update():
    assert mention.last_update(shown_dataset()) == dt.date(2026, 4, 2)


def test_text_that_is_no_date_is_skipped():
    dated = shown_dataset(
        data_updated="bientôt",
        resources=[{"last_modified": "2026-13-45"}],
        metadata_modified="",
    )

    assert mention.last_update(dated) is None


# The mention


def test_the_mention_names_source_date_and_licence_in_french():
    text = mention.reuse_mention(shown_dataset(data_updated="2026-03-12"), "fr")

    assert text == (
        "Source : Commune de Villard-de-Lans, mise à jour le 12 mars 2026, "
        "Licence Ouverte 2.0"
    )


def test_the_mention_in_english():
    text = mention.reuse_mention(
        shown_dataset(data_updated="2026-03-01", license_id="odc-odbl"), "en"
    )

    assert text == (
        "Source: Commune de Villard-de-Lans, updated on 1 March 2026, ODbL 1.0"
    )


@pytest.mark.parametrize("licence", ["notspecified", "other-at", None])
def test_no_licence_named_when_there_is_none_to_name(licence):
    text = mention.reuse_mention(
        shown_dataset(data_updated="2026-03-12", license_id=licence), "fr"
    )

    assert text == "Source : Commune de Villard-de-Lans, mise à jour le 12 mars 2026"


def test_a_licence_outside_the_register_is_named_as_the_dataset_names_it():
    text = mention.reuse_mention(
        shown_dataset(
            data_updated="2026-03-12",
            license_id="https://www.example.org/licence",
            license_title="Licence du producteur",
        ),
        "fr",
    )

    assert text.endswith("mise à jour le 12 mars 2026, Licence du producteur")


def test_without_an_organization_the_author_is_the_source():
    text = mention.reuse_mention(
        shown_dataset(organization=None, author="Office de tourisme"), "fr"
    )

    assert text.startswith("Source : Office de tourisme, mise à jour le 2 avril 2026")


@pytest.mark.ckan_config("ckan.site_title", "Données ouvertes du Massif du Vercors")
def test_without_any_producer_the_portal_is_the_source():
    text = mention.reuse_mention(shown_dataset(organization=None), "fr")

    assert text.startswith("Source : Données ouvertes du Massif du Vercors, ")


def test_without_any_date_the_mention_keeps_source_and_licence():
    text = mention.reuse_mention(shown_dataset(metadata_modified=None), "fr")

    assert text == "Source : Commune de Villard-de-Lans, Licence Ouverte 2.0"


# package_show and the dataset page


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_package_show_gives_the_mention_in_the_language_of_the_request(
    app, headers, commune
):
    accepted(
        app, headers, "package_create", dataset(commune, data_updated="2026-03-12")
    )

    assert shown(app, "plan-local-urbanisme")["reuse_mention"] == (
        "Source : Commune de Villard-de-Lans, mise à jour le 12 mars 2026, "
        "Licence Ouverte 2.0"
    )
    assert shown(app, "plan-local-urbanisme", prefix="/en")["reuse_mention"] == (
        "Source: Commune de Villard-de-Lans, updated on 12 March 2026, Open Licence 2.0"
    )


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_every_dataset_has_a_mention_even_without_its_date(app, headers, commune):
    created = accepted(app, headers, "package_create", dataset(commune))

    today = dt.date.fromisoformat(created["metadata_modified"][:10])
    assert shown(app, "plan-local-urbanisme")["reuse_mention"] == (
        "Source : Commune de Villard-de-Lans, mise à jour le "
        f"{mention.format_date(today, 'fr')}, Licence Ouverte 2.0"
    )


def page_of(app, name: str) -> BeautifulSoup:
    response = app.get(f"/dataset/{name}")
    assert response.status_code == 200, response.body
    return BeautifulSoup(response.body, "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_dataset_page_shows_the_mention_the_licence_and_free_reuse(
    app, headers, commune
):
    accepted(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="odc-odbl", data_updated="2026-03-12"),
    )

    soup = page_of(app, "plan-local-urbanisme")

    assert text(soup.select_one(".territoire-reuse-mention")) == (
        "Source : Commune de Villard-de-Lans, mise à jour le 12 mars 2026, ODbL 1.0"
    )
    assert text(soup.select_one(".territoire-reuse-fee")) == (
        "La réutilisation est gratuite."
    )
    box = soup.select_one(".territoire-licence")
    link = box.select_one(".territoire-licence-title a")
    assert (text(link), link["href"]) == (
        "Open Database License (ODbL) version 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    )
    assert [text(flag) for flag in box.select(".territoire-licence-flags li")] == [
        "Homologuée",
        "Mention de la source obligatoire",
        "Partage à l'identique",
    ]


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config(
    "ckanext.territoire.licences_file",
    str(FIXTURES / "register_with_fee_licence.yaml"),
)
def test_the_dataset_page_shows_a_fee_with_its_basis_and_terms(app, headers, commune):
    accepted(
        app,
        headers,
        "package_create",
        dataset(
            commune,
            license_id="ccmv-redevance",
            reuse_fee="fee",
            reuse_fee_basis="cultural-digitisation",
            reuse_fee_terms="0,10 € par image numérisée.",
        ),
    )

    soup = page_of(app, "plan-local-urbanisme")

    assert text(soup.select_one(".territoire-reuse-fee")) == (
        "La réutilisation donne lieu à une redevance. Fondement légal : "
        "Numérisation des fonds et collections des bibliothèques, musées ou "
        "archives (CRPA, art. L.324-2) 0,10 € par image numérisée."
    )


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_dataset_page_says_why_another_licence_is_there(app, headers, commune):
    accepted(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="cc-by-sa", third_party_rights="true"),
    )

    soup = page_of(app, "plan-local-urbanisme")

    assert text(soup.select_one(".territoire-licence-status")) == (
        "La licence que des tiers imposent : les données comportent des éléments "
        "sur lesquels ils détiennent des droits."
    )
    assert "Non homologuée" in text(soup.select_one(".territoire-licence-flags"))


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_mention_follows_a_new_file(app, headers, commune, sysadmin):
    accepted(app, headers, "package_create", dataset(commune))
    helpers.call_action(
        "resource_create",
        context={"user": sysadmin["name"]},
        package_id="plan-local-urbanisme",
        url="https://www.villard-de-lans.fr/plu.zip",
        last_modified="2026-05-04T10:00:00",
    )

    assert shown(app, "plan-local-urbanisme")["reuse_mention"] == (
        "Source : Commune de Villard-de-Lans, mise à jour le 4 mai 2026, "
        "Licence Ouverte 2.0"
    )
