"""The onboarding guide of a commune: four steps in French, with links into
the catalogue, and starter datasets created in one click as private drafts."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def test_the_guide_shows_the_four_steps_with_their_actions(app, territory):
    page = app.get(
        "/organization/engins/guide", headers=headers(territory["people"]["editor_a"])
    )

    soup = BeautifulSoup(page.body, "html.parser")
    assert [h.get_text(strip=True) for h in soup.select(".territoire-guide h2")] == [
        "1. Faire valider le projet",
        "2. Choisir les premiers jeux de données",
        "3. Préparer les données et publier",
        "4. Faire vivre les données",
    ]
    links = {
        a.get_text(strip=True): a["href"] for a in soup.select(".territoire-guide a")
    }
    # An editor is not sent to the admins' pages: the step says who does it.
    assert "Inviter les personnes qui publieront" not in links
    admin = territory["people"]["admin_a"]
    who = [w.get_text(" ", strip=True) for w in soup.select(".territoire-guide-who")]
    assert len(who) == 2
    shown = admin.get("fullname") or admin["name"]
    assert all(shown in w for w in who), who
    assert links["Créer un jeu de données"].startswith("/dataset/new?group=")
    assert (
        links["Répondre à la liste de préparation"] == "/organization/engins/checklist"
    )
    buttons = soup.select(".territoire-starters button")
    assert len(buttons) == 6


@pytest.mark.parametrize("role", ["editor_a", "admin_a"])
def test_every_link_of_the_guide_opens_for_its_reader(app, territory, role):
    user = territory["people"][role]
    page = app.get("/organization/engins/guide", headers=headers(user))

    soup = BeautifulSoup(page.body, "html.parser")
    hrefs = [a["href"] for a in soup.select(".territoire-guide a")]
    assert hrefs
    for href in hrefs:
        assert app.get(href, headers=headers(user)).status_code == 200, href
    if role == "admin_a":
        assert "/organization/member_new/engins" in hrefs
        assert soup.select(".territoire-guide-who") == []


def test_a_starter_dataset_is_created_as_a_prefilled_private_draft(app, territory):
    editor = territory["people"]["editor_a"]

    response = app.post(
        "/organization/engins/guide/starter",
        headers=headers(editor),
        data={"starter": "deliberations"},
        follow_redirects=False,
    )

    assert response.status_code == 302
    assert response.location.endswith("/dataset/edit/deliberations-engins")
    dataset = helpers.call_action(
        "package_show", context={"user": editor["name"]}, id="deliberations-engins"
    )
    assert dataset["title"] == "Délibérations du conseil municipal — Engins"
    assert dataset["state"] == "draft"
    assert dataset["private"] is True
    assert dataset["schema_name"] == "scdl/deliberations"
    assert dataset["schema_version"] == "2.1.5"
    assert dataset["frequency"] == "monthly"
    assert dataset["theme"] == ["GOVE"]
    assert dataset["spatial_insee"] == ["38153"]
    assert dataset["owner_org"] == territory["a"]["id"]


def test_the_guide_links_a_starter_that_already_exists(app, territory):
    editor = territory["people"]["editor_a"]
    helpers.call_action(
        "territoire_starter_dataset_create",
        context={"user": editor["name"]},
        id="engins",
        starter="budget",
    )

    page = app.get("/organization/engins/guide", headers=headers(editor))

    soup = BeautifulSoup(page.body, "html.parser")
    assert soup.select_one('.territoire-starters a[href="/dataset/budget-engins"]')
    assert len(soup.select(".territoire-starters button")) == 5


def test_an_unknown_starter_is_refused_with_the_known_ones(territory):
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action(
            "territoire_starter_dataset_create",
            context={"user": territory["people"]["editor_a"]["name"]},
            id="engins",
            starter="parking",
        )

    assert error.value.error_dict["starter"] == [
        'Unknown starter dataset "parking". Known: deliberations, budget, '
        "subventions, marches-publics, menus, equipements."
    ]


def test_an_editor_of_another_commune_cannot_create_a_starter_here(app, territory):
    response = app.post(
        "/organization/engins/guide/starter",
        headers=headers(territory["people"]["editor_b"]),
        data={"starter": "deliberations"},
    )

    assert response.status_code == 403
    assert (
        helpers.call_action(
            "package_search", include_drafts=True, include_private=True
        )["count"]
        == 0
    )
