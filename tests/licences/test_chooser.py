"""The licence chooser as a commune secretary uses it, without JavaScript:
the /licences page (a plain GET form) whose result leads to the dataset form
with the licence selected, and the chooser inside the dataset form, whose
button answers with the same form, the recommendation shown and its licence
selected, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import factories, helpers

from tests.licences.conftest import dataset

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def secretary(commune) -> dict[str, Any]:
    """An editor of the commune (CKAN 2.11 identifies web requests by the
    API token)."""
    user = factories.UserWithToken()
    helpers.call_action(
        "organization_member_create",
        id=commune["id"],
        username=user["name"],
        role="editor",
    )
    return {"user": user, "headers": {"Authorization": user["token"]}}


def create(sysadmin, org, **fields) -> dict[str, Any]:
    return helpers.call_action(
        "package_create", context={"user": sysadmin["name"]}, **dataset(org, **fields)
    )


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200, response.body
    return BeautifulSoup(response.body, "html.parser")


def selected_licence(soup: BeautifulSoup) -> str:
    select = soup.find("select", attrs={"name": "license_id"})
    return select.find("option", selected=True)["value"]


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


# The /licences page


def test_the_page_asks_the_questions_and_lists_the_register_in_french(app):
    soup = soup_of(app.get("/licences"))

    legends = [text(legend) for legend in soup.select("#chooser legend")]
    assert legends == [
        "Les réutilisateurs devront-ils payer une redevance pour réutiliser les "
        "données ?",
        "Les données comportent-elles des éléments sur lesquels d'autres "
        "détiennent des droits ?",
        "Voulez-vous que les réutilisateurs partagent leurs améliorations dans "
        "les mêmes conditions ?",
        "S'agit-il d'une base de données que d'autres vont enrichir ?",
    ]
    assert soup.select_one("#share_alike-unsure").has_attr("checked")
    assert soup.select_one("#recommendation") is None
    rows = soup.select(".territoire-licence-register tbody tr")
    assert [row["id"] for row in rows][:2] == ["licence-lov2", "licence-odc-odbl"]
    assert "Homologuée" in text(rows[0])
    assert "Partage à l'identique" in text(rows[1])


def test_the_page_recommends_with_reasons_and_links_to_a_new_dataset(app, secretary):
    soup = soup_of(app.get("/licences?share_alike=yes", headers=secretary["headers"]))

    result = soup.select_one("#recommendation")
    assert text(result.select_one(".territoire-licence-recommended")) == (
        "Licence recommandée : Open Database License (ODbL) version 1.0 (odc-odbl)"
    )
    assert "(CRPA, art. D.323-2-1 ; ODbL 1.0, art. 4.4)" in text(
        result.select_one(".territoire-licence-reasons")
    )
    link = result.select_one("a.territoire-licence-use")
    assert text(link) == "Créer un jeu de données sous cette licence"
    assert link["href"] == "/dataset/new?license_id=odc-odbl"
    assert soup.select_one("#share_alike-yes").has_attr("checked")


def test_the_new_dataset_form_opened_from_the_page_selects_the_licence(app, secretary):
    soup = soup_of(
        app.get("/dataset/new?license_id=odc-odbl", headers=secretary["headers"])
    )

    assert selected_licence(soup) == "odc-odbl"


def test_an_anonymous_reader_gets_the_advice_without_a_form_to_fill(app):
    soup = soup_of(app.get("/licences?fee=yes"))

    assert text(soup.select_one(".territoire-licence-recommended")) == (
        "Aucune licence ne peut encore être recommandée."
    )
    assert soup.select_one("a.territoire-licence-use") is None


def test_the_page_leads_back_to_the_form_of_the_dataset_it_was_opened_for(
    app, sysadmin, commune, secretary
):
    create(sysadmin, commune)

    soup = soup_of(
        app.get(
            "/licences?dataset=plan-local-urbanisme&share_alike=yes",
            headers=secretary["headers"],
        )
    )

    link = soup.select_one("a.territoire-licence-use")
    assert link["href"] == "/dataset/edit/plan-local-urbanisme?license_id=odc-odbl"
    form = soup_of(app.get(link["href"], headers=secretary["headers"]))
    assert selected_licence(form) == "odc-odbl"
    assert "Licence choisie par l'aide au choix" in text(
        form.select_one(".territoire-licence-preselected")
    )
    assert helpers.call_action("package_show", id="plan-local-urbanisme")[
        "license_id"
    ] == ("lov2")


def test_the_page_ignores_a_dataset_the_reader_cannot_edit(app, sysadmin, commune):
    create(sysadmin, commune)

    soup = soup_of(app.get("/licences?dataset=plan-local-urbanisme&fee=no"))

    assert soup.select_one("a.territoire-licence-use") is None


def test_a_wrong_answer_on_the_page_is_shown_next_to_its_question(app):
    soup = soup_of(app.get("/licences?database=perhaps"))

    assert text(soup.select_one("#database .error-block")) == (
        "« perhaps » n'est pas une réponse à cette question. Réponses : no, yes."
    )
    assert soup.select_one("#recommendation") is None


# The chooser inside the dataset form

FORM = {
    "title": "Inventaire des arbres",
    "name": "inventaire-arbres",
    "notes": "Les arbres d'alignement de la commune.",
    "license_id": "lov2",
    "personal_data": "none",
    "reuse_fee": "free",
    "_ckan_phase": "dataset_new_1",
    "pkg_name": "",
}


def test_the_dataset_form_offers_the_chooser_and_the_licences_page(app, secretary):
    soup = soup_of(app.get("/dataset/new", headers=secretary["headers"]))

    chooser = soup.select_one("form#dataset-edit details.territoire-licence-chooser")
    assert not chooser.has_attr("open")
    names = {i["name"] for i in chooser.select("input[type=radio]")}
    assert names == {
        "licence_question_fee",
        "licence_question_third_party",
        "licence_question_share_alike",
        "licence_question_database",
    }
    button = chooser.select_one("button[name=territoire_licence_recommend]")
    assert text(button) == "Recommander une licence"
    assert soup.select_one('form#dataset-edit a[href="/licences"]')


def test_the_form_s_default_button_still_saves_the_dataset(app, secretary):
    """Enter in a text field submits with the form's first submit button:
    it must be a save button, not the chooser's."""
    soup = soup_of(app.get("/dataset/new", headers=secretary["headers"]))

    first = soup.select_one("form#dataset-edit").find("button", type="submit")
    assert first["name"] == "save"


def test_the_chooser_in_the_form_selects_its_licence_and_keeps_what_was_typed(
    app, commune, secretary
):
    response = app.post(
        "/dataset/new",
        headers=secretary["headers"],
        data={
            **FORM,
            "owner_org": commune["id"],
            "licence_question_database": "yes",
            "licence_question_share_alike": "unsure",
            "territoire_licence_recommend": "",
        },
    )

    soup = soup_of(response)
    assert selected_licence(soup) == "odc-odbl"
    chooser = soup.select_one("details.territoire-licence-chooser")
    assert chooser.has_attr("open")
    assert text(chooser.select_one(".territoire-licence-recommended")).startswith(
        "Licence recommandée : Open Database License (ODbL) version 1.0"
    )
    assert soup.select_one("#licence_question_database-yes").has_attr("checked")
    assert soup.find("input", attrs={"name": "title"})["value"] == (
        "Inventaire des arbres"
    )
    assert soup.find("textarea", attrs={"name": "notes"}).get_text() == (
        "Les arbres d'alignement de la commune."
    )
    assert model.Package.get("inventaire-arbres") is None


def test_the_chooser_in_the_edit_form_changes_nothing_until_saved(
    app, sysadmin, commune, secretary
):
    create(sysadmin, commune)

    response = app.post(
        "/dataset/edit/plan-local-urbanisme",
        headers=secretary["headers"],
        data={
            **dataset(commune),
            "title": "PLU révisé",
            "licence_question_share_alike": "yes",
            "territoire_licence_recommend": "",
        },
    )

    soup = soup_of(response)
    assert selected_licence(soup) == "odc-odbl"
    assert soup.find("input", attrs={"name": "title"})["value"] == "PLU révisé"
    saved = helpers.call_action("package_show", id="plan-local-urbanisme")
    assert (saved["title"], saved["license_id"]) == ("Plan local d'urbanisme", "lov2")


def test_a_wrong_answer_in_the_form_s_chooser_is_shown_next_to_its_question(
    app, commune, secretary
):
    response = app.post(
        "/dataset/new",
        headers=secretary["headers"],
        data={
            **FORM,
            "owner_org": commune["id"],
            "licence_question_fee": "sometimes",
            "territoire_licence_recommend": "",
        },
    )

    soup = soup_of(response)
    assert text(soup.select_one("#licence_question_fee .error-block")) == (
        "« sometimes » n'est pas une réponse à cette question. Réponses : no, yes."
    )
    assert selected_licence(soup) == "lov2"


def test_saving_the_form_keeps_the_recommended_licence_and_ignores_the_questions(
    app, commune, secretary
):
    response = app.post(
        "/dataset/new",
        headers=secretary["headers"],
        data={
            **FORM,
            "owner_org": commune["id"],
            "license_id": "odc-odbl",
            "licence_question_share_alike": "yes",
            "save": "",
        },
        follow_redirects=False,
    )

    assert response.status_code == 302, response.body
    saved = helpers.call_action(
        "package_show",
        context={"user": secretary["user"]["name"]},
        id="inventaire-arbres",
    )
    assert saved["license_id"] == "odc-odbl"
    assert "licence_question_share_alike" not in saved


def test_the_guide_links_to_the_licence_chooser(app, commune, secretary):
    soup = soup_of(
        app.get("/organization/villard-de-lans/guide", headers=secretary["headers"])
    )

    links = {text(a): a["href"] for a in soup.select(".territoire-guide a")}
    assert links["Choisir une licence"] == "/licences"
