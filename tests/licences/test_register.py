"""The licence register (licences/register.yaml) as CKAN's licence list: the
two licences of the decree first, data.gouv.fr's ids, titles in French and
English, flags, and a register file the configuration can replace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ckanext.opendata_territoire.licences import register
from tests.licences.conftest import FIXTURES, accepted, dataset, shown

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

# data.gouv.fr's licence list, in the shape of GET /api/1/datasets/licenses/
# (id, title, url, alternate titles and URLs), as an udata front-end mock
# records it.
DATAGOUV_LICENCES = json.loads(
    (FIXTURES / "datagouv_licences.json").read_text(encoding="utf-8")
)


def test_the_two_licences_of_the_decree_come_first_and_alone_are_homologated():
    ids = [entry.id for entry in register.licences()]

    assert ids[:2] == ["lov2", "odc-odbl"]
    assert [entry.id for entry in register.homologated()] == ["lov2", "odc-odbl"]


def test_every_id_of_the_register_is_a_datagouv_id():
    datagouv_ids = {licence["id"] for licence in DATAGOUV_LICENCES}

    assert {entry.id for entry in register.licences()} <= datagouv_ids


def test_the_datagouv_title_of_each_licence_is_datagouv_s():
    titles = {licence["id"]: licence["title"] for licence in DATAGOUV_LICENCES}

    for entry in register.licences():
        assert entry.datagouv_title == titles[entry.id], entry.id


def test_the_flags_say_what_each_licence_asks_of_reusers():
    lov2, odbl = register.licence("lov2"), register.licence("odc-odbl")

    assert (lov2.share_alike, lov2.attribution, lov2.allows_fee) == (
        False,
        True,
        False,
    )
    assert (odbl.share_alike, odbl.attribution, odbl.allows_fee) == (
        True,
        True,
        False,
    )
    assert register.licence("cc-zero").attribution is False
    assert register.licence("notspecified").generic is True


def test_license_list_gives_the_register_in_french(app):
    licences = app.get("/api/3/action/license_list").json["result"]

    assert [licence["id"] for licence in licences] == [
        entry.id for entry in register.licences()
    ]
    lov2 = licences[0]
    assert lov2["title"] == "Licence Ouverte / Open Licence version 2.0"
    assert lov2["short_title"] == "Licence Ouverte 2.0"
    assert lov2["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    assert lov2["homologated"] is True
    assert lov2["legal_reference"].startswith("CRPA, art. D.323-2-1")
    assert lov2["attribution"] is True
    assert lov2["share_alike"] is False
    assert licences[-1]["title"] == "Licence non spécifiée"


def test_license_list_gives_the_register_in_english(app):
    licences = app.get("/en/api/3/action/license_list").json["result"]

    titles = {licence["id"]: licence["title"] for licence in licences}
    assert titles["lov2"] == "Open Licence / Licence Ouverte version 2.0"
    assert titles["notspecified"] == "License not specified"


def test_package_show_names_the_licence_in_the_language_of_the_request(
    app, headers, commune
):
    accepted(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="other-pd", private=True),
    )

    assert shown(app, "plan-local-urbanisme", headers)["license_title"] == (
        "Autre (domaine public)"
    )
    assert (
        shown(app, "plan-local-urbanisme", headers, prefix="/en")["license_title"]
        == "Other (Public Domain)"
    )


def test_the_form_offers_the_homologated_licences_first_with_lov2_selected(
    app, headers, commune
):
    page = app.get("/dataset/new", headers=headers)

    soup = BeautifulSoup(page.body, "html.parser")
    select = soup.find("select", attrs={"name": "license_id"})
    groups = select.find_all("optgroup")
    assert groups[0]["label"] == (
        "Licences de la liste fixée par décret (CRPA, D.323-2-1)"
    )
    assert [o["value"] for o in groups[0].find_all("option")] == ["lov2", "odc-odbl"]
    assert [o["value"] for o in groups[1].find_all("option")][:2] == [
        "fr-lo",
        "cc-by",
    ]
    assert select.find("option", selected=True)["value"] == "lov2"


@pytest.mark.ckan_config(
    "ckanext.territoire.licences_file",
    str(FIXTURES / "register_with_fee_licence.yaml"),
)
def test_a_register_file_named_in_the_configuration_replaces_the_shipped_one(app):
    licences = app.get("/api/3/action/license_list").json["result"]

    assert [licence["id"] for licence in licences] == [
        "lov2",
        "odc-odbl",
        "ccmv-redevance",
        "notspecified",
    ]
    assert licences[2]["allows_fee"] is True


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """
  - id: lov2
    title: {fr: Licence Ouverte 2.0, en: Open Licence 2.0}
    short_title: {fr: Licence Ouverte 2.0, en: Open Licence 2.0}
    datagouv_title: Licence Ouverte / Open Licence version 2.0
    url: https://www.etalab.gouv.fr/licence-ouverte-open-licence
    homologated: true
    legal_reference: CRPA, art. D.323-2-1
    share_alike: false
    attribution: true
    allows_fee: false
    generic: false
    open: true
"""


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (ENTRY + ENTRY, "licence id 'lov2' is repeated"),
        (
            ENTRY.replace("en: Open Licence 2.0}\n    short", "}\n    short"),
            "licence 'lov2': title needs a text in fr, en",
        ),
        (
            ENTRY.replace("share_alike: false", "share_alike: non"),
            "licence 'lov2': share_alike must be true or false",
        ),
        (
            ENTRY.replace("    legal_reference: CRPA, art. D.323-2-1\n", ""),
            "licence 'lov2': a homologated licence needs its legal_reference",
        ),
        (
            ENTRY.replace(
                "url: https://www.etalab.gouv.fr/licence-ouverte-open-licence",
                'url: ""',
            ),
            "licence 'lov2': url is missing (only generic entries have none)",
        ),
    ],
    ids=["repeated id", "missing title", "flag", "legal reference", "url"],
)
def test_a_wrong_register_file_is_refused_with_the_file_and_the_entry(
    tmp_path, text, problem
):
    path = write(tmp_path, "licences:" + text)

    with pytest.raises(ValueError) as error:
        register.load(path)

    assert str(error.value) == f"{path}: {problem}"
