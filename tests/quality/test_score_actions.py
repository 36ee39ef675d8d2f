"""The quality score in the catalogue: the action and the dataset's quality
page (criteria for everyone, how to meet them for its editors), the facet and
the sort of the search page (real Solr), the territory dashboard's averages,
and who may see what."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from ckan import logic
from ckan.tests import helpers

from tests.quality.conftest import (
    ROLES,
    complete_fields,
    context_of,
    headers,
    user_of,
)

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

CSV_LINK = {"url": "https://www.engins.fr/donnees/deliberations.csv", "format": "CSV"}


def publish(territory, name, org="a", **fields):
    return helpers.call_action(
        "package_create",
        context={"user": territory["people"]["sysadmin"]["name"]},
        owner_org=territory[org]["id"],
        name=name,
        title=name,
        **fields,
    )


def search(**params):
    return helpers.call_action("package_search", **params)


@pytest.fixture
def three_levels(territory):
    """high: 100 %; medium: 6 of 9 = 67 %; low: 0 of 8."""
    publish(
        territory,
        "complet",
        data_updated="2099-01-01",
        resources=[CSV_LINK],
        **complete_fields(),
    )
    publish(
        territory,
        "moyen",
        resources=[CSV_LINK],
        **complete_fields(temporal_start=None, spatial_insee=[], contact_email=""),
    )
    publish(
        territory,
        "faible",
        org="b",
        # Not a licence of the decree's list: allowed as third parties hold
        # rights on the data (licences/policy.py).
        license_id="notspecified",
        third_party_rights="true",
        personal_data="none",
    )
    return territory


def test_the_action_gives_the_score_with_every_criterion(territory):
    publish(
        territory,
        "deliberations",
        resources=[CSV_LINK],
        **complete_fields(frequency="punctual", contact_email=""),
    )

    result = helpers.call_action(
        "territoire_quality_show",
        context=context_of(territory, "anonymous"),
        id="deliberations",
    )

    # No regular update, no schema: 8 criteria apply, 7 are met.
    assert (result["score"], result["met"], result["applicable"]) == (88, 7, 8)
    assert result["level"] == "high"
    contact = next(c for c in result["criteria"] if c["id"] == "contact_point")
    assert contact == {
        "id": "contact_point",
        "label": "A contact e-mail",
        "description": (
            "Give an e-mail address reusers can write to, preferably a service address."
        ),
        "met": False,
        "facts": {},
    }


def test_the_action_speaks_french_through_the_api(app, territory):
    publish(territory, "deliberations", **complete_fields())

    response = app.get(
        "/api/3/action/territoire_quality_show", params={"id": "deliberations"}
    )

    labels = [c["label"] for c in response.json["result"]["criteria"]]
    assert labels[:2] == ["Une description d'au moins 100 caractères", "Une licence"]


def test_an_unknown_dataset_or_no_id_is_an_error(territory):
    with pytest.raises(logic.NotFound):
        helpers.call_action(
            "territoire_quality_show",
            context=context_of(territory, "sysadmin"),
            id="nope",
        )
    with pytest.raises(logic.ValidationError) as error:
        helpers.call_action(
            "territoire_quality_show", context=context_of(territory, "editor_a")
        )
    assert error.value.error_dict == {
        "id": ["Missing value: give the id or name of a dataset."]
    }


def test_the_quality_page_shows_each_criterion_to_everyone(app, territory):
    publish(territory, "deliberations", **complete_fields(notes="Trop court."))

    page = BeautifulSoup(app.get("/dataset/deliberations/quality").body, "html.parser")

    assert "Score de qualité : 56 %, 5 critères remplis sur 9." in page.select_one(
        ".territoire-quality-score"
    ).get_text(" ", strip=True)
    description = page.select_one("#criterion-description")
    assert "non rempli" in description.get_text()
    assert "La description fait 11 caractères." in description.get_text()
    assert "criterion-na" in page.select_one("#criterion-schema_conformance")["class"]
    # How to meet a criterion is for the publisher.
    assert not page.select(".criterion-how")


def test_the_editors_see_how_to_meet_each_criterion_not_met(app, territory):
    publish(territory, "deliberations", **complete_fields(notes="Trop court."))

    page = BeautifulSoup(
        app.get(
            "/dataset/deliberations/quality",
            headers=headers(territory["people"]["editor_a"]),
        ).body,
        "html.parser",
    )

    hows = {
        li["id"]: li.select_one(".criterion-how").get_text(" ", strip=True)
        for li in page.select("li.criterion-unmet")
    }
    assert hows["criterion-description"] == (
        "Pour le remplir : Dites ce que contiennent les données, comment elles "
        "ont été produites et comment les lire, en au moins 100 caractères."
    )
    assert set(hows) == {
        "criterion-description",
        "criterion-up_to_date",
        "criterion-open_format",
        "criterion-resources_reachable",
    }


def test_the_dataset_page_shows_the_score_and_links_to_the_criteria(app, territory):
    publish(territory, "deliberations", **complete_fields())

    page = BeautifulSoup(app.get("/dataset/deliberations").body, "html.parser")

    module = page.select_one("section.territoire-quality")
    assert "Score de qualité : 67 %" in module.get_text(" ", strip=True)
    assert module.a["href"] == "/dataset/deliberations/quality"


def test_the_search_facet_groups_datasets_by_level(app, three_levels):
    facets = search(**{"facet.field": '["quality_level"]'})["search_facets"]

    items = {i["name"]: i["count"] for i in facets["quality_level"]["items"]}
    assert items == {"high": 1, "medium": 1, "low": 1}
    assert [d["name"] for d in search(fq="quality_level:medium")["results"]] == [
        "moyen"
    ]

    page = BeautifulSoup(app.get("/dataset/").body, "html.parser")
    facet_text = page.get_text(" ", strip=True)
    assert "Score de qualité" in facet_text
    assert "80 % ou plus" in facet_text
    assert "Moins de 50 %" in facet_text


def test_the_search_sorts_by_score(app, three_levels):
    ranked = search(sort="quality_score desc")["results"]

    assert [d["name"] for d in ranked] == ["complet", "moyen", "faible"]
    assert [d["name"] for d in search(sort="quality_score asc")["results"]] == [
        "faible",
        "moyen",
        "complet",
    ]
    page = BeautifulSoup(app.get("/dataset/").body, "html.parser")
    options = {
        o["value"]: o.get_text(strip=True)
        for o in page.select("#field-order-by option")
    }
    assert options["quality_score desc, metadata_modified desc"] == "Score de qualité"


def test_the_dashboard_shows_each_members_average_score(app, three_levels):
    admin = headers(three_levels["people"]["epci_admin"])

    result = helpers.call_action(
        "territoire_dashboard_show",
        context=context_of(three_levels, "epci_admin"),
        id="ccmv",
    )

    scores = {m["name"]: m["quality_score"] for m in result["members"]}
    # Engins: (100 + 67) / 2 = 83.5, rounded to 84; Villard-de-Lans: 0.
    assert scores == {"engins": 84, "villard-de-lans": 0}
    # The territory's: every public dataset weighs the same.
    assert result["average_quality_score"] == round((100 + 67 + 0) / 3)
    page = BeautifulSoup(
        app.get("/organization/ccmv/dashboard", headers=admin).body, "html.parser"
    )
    rows = {
        tr.th.get_text(strip=True): [
            td.get_text(strip=True) for td in tr.find_all("td")
        ]
        for tr in page.select("table.territoire-dashboard tbody tr")
    }
    assert rows["Engins"][2] == "84 %"
    exported = app.get("/organization/ccmv/dashboard.csv", headers=admin)
    by_title = {
        r["commune"]: r
        for r in csv.DictReader(io.StringIO(exported.body[1:]), delimiter=";")
    }
    assert by_title["Villard-de-Lans"]["score_qualite"] == "0"


def test_a_member_without_public_datasets_has_no_average(territory):
    result = helpers.call_action(
        "territoire_dashboard_show",
        context=context_of(territory, "epci_admin"),
        id="ccmv",
    )

    assert {m["quality_score"] for m in result["members"]} == {None}
    assert result["average_quality_score"] is None


# Who may see the quality of a dataset: whoever may see the dataset (a
# private one: its organization's members, the admins of its EPCI, sysadmins).

PUBLIC = dict.fromkeys(ROLES, True)
PRIVATE = {
    "anonymous": False,
    "other": False,
    "member_a": True,
    "editor_a": True,
    "admin_a": True,
    "editor_b": False,
    "admin_b": False,
    "epci_admin": True,
    "sysadmin": True,
}


def allowed(territory, role, dataset_id):
    try:
        helpers.call_auth(
            "territoire_quality_show", context_of(territory, role), id=dataset_id
        )
    except logic.NotAuthorized:
        return False
    return True


@pytest.mark.parametrize(("private", "expected"), [(False, PUBLIC), (True, PRIVATE)])
def test_auth_matrix_of_the_quality_action(territory, private, expected):
    dataset = publish(territory, "jeu", private=private, **complete_fields())

    result = {role: allowed(territory, role, dataset["id"]) for role in ROLES}

    assert result == expected


@pytest.mark.parametrize(("private", "expected"), [(False, PUBLIC), (True, PRIVATE)])
def test_the_quality_page_answers_by_role(app, territory, private, expected):
    publish(territory, "jeu", private=private, **complete_fields())

    statuses = {
        role: app.get(
            "/dataset/jeu/quality", headers=headers(user_of(territory, role))
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if expected[role] else 404 for role in ROLES}
