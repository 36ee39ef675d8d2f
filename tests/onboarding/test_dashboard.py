"""The territory dashboard of the EPCI, on a territory with uneven members:
one commune obliged to publish, well advanced; one small commune just
starting; one whose size is not known."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from ckan.logic import ValidationError
from ckan.tests import factories, helpers

from tests.factories import dataset_fields
from tests.people import ROLES, headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def uneven(territory):
    sysadmin = territory["people"]["sysadmin"]["name"]
    patch = {"context": {"user": sysadmin}}
    helpers.call_action(
        "organization_patch",
        id="villard-de-lans",
        population=4578,
        agents_count=62,
        **patch,
    )
    helpers.call_action(
        "organization_patch", id="engins", population=449, agents_count=4, **patch
    )
    factories.Organization(
        name="lans-en-vercors",
        title="Lans-en-Vercors",
        collectivite_type="commune",
        siren="213802051",
        epci_siren="243801024",
    )
    for name, schema, updated in (
        ("deliberations-villard", "scdl/deliberations", "2024-10-01"),
        ("budget-villard", "scdl/budget", "2024-06-30"),
        ("parkings-villard", None, "2023-01-15"),
    ):
        fields = dataset_fields(data_updated=updated)
        if schema:
            fields["schema_name"] = schema
        helpers.call_action(
            "package_create",
            owner_org=territory["b"]["id"],
            name=name,
            title=name,
            **fields,
            **patch,
        )
    # A private dataset does not count as published.
    helpers.call_action(
        "package_create",
        owner_org=territory["a"]["id"],
        name="brouillon-engins",
        title="Brouillon",
        private=True,
        **dataset_fields(),
        **patch,
    )
    editor_b = territory["people"]["editor_b"]["name"]
    for question in (
        "elected-sponsor",
        "council-decision",
        "data-officer",
        "legal-obligations",
        "first-dataset",
    ):
        helpers.call_action(
            "territoire_checklist_answer",
            context={"user": editor_b},
            id="villard-de-lans",
            question_id=question,
            answer="yes",
        )
    helpers.call_action(
        "territoire_checklist_answer",
        context={"user": territory["people"]["editor_a"]["name"]},
        id="engins",
        question_id="elected-sponsor",
        answer="in_progress",
    )
    return territory


def dashboard(territory):
    return helpers.call_action(
        "territoire_dashboard_show",
        context={"user": territory["people"]["epci_admin"]["name"]},
        id="ccmv",
    )


def test_every_member_is_listed_with_its_figures(uneven):
    result = dashboard(uneven)

    rows = {row["name"]: row for row in result["members"]}
    assert list(rows) == ["engins", "lans-en-vercors", "villard-de-lans"]
    villard, engins, lans = (
        rows["villard-de-lans"],
        rows["engins"],
        rows["lans-en-vercors"],
    )
    # 23 questions: 5 yes -> 5 / 23 = 22 %; 1 in progress -> 0.5 / 23 = 2 %.
    assert (
        villard["checklist_score"],
        engins["checklist_score"],
        lans["checklist_score"],
    ) == (22, 2, 0)
    assert (
        villard["public_datasets"],
        engins["public_datasets"],
        lans["public_datasets"],
    ) == (3, 0, 0)
    assert villard["priority_datasets"] == ["deliberations", "budget"]
    assert engins["priority_datasets"] == []
    assert villard["last_update"] == "2024-10-01"
    assert engins["last_update"] is None
    assert (villard["obliged"], engins["obliged"], lans["obliged"]) == (
        True,
        False,
        None,
    )
    assert result["average_checklist_score"] == round((22 + 2 + 0) / 3)
    assert result["public_datasets"] == 3


def test_the_page_and_its_csv_show_the_same_figures(app, uneven):
    admin = headers(uneven["people"]["epci_admin"])

    page = app.get("/organization/ccmv/dashboard", headers=admin)
    exported = app.get("/organization/ccmv/dashboard.csv", headers=admin)

    soup = BeautifulSoup(page.body, "html.parser")
    for form in soup.select(".territoire-agents-form"):
        form.decompose()  # the form under each answer (tested below)
    cells = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in soup.select("table.territoire-dashboard tbody tr")
    ]
    assert cells[2] == [
        "Villard-de-Lans",
        "22 %",
        "3",
        # Two SCDL datasets with no file, 1 criterion of 9 met (11 %); one
        # with no schema, 1 of 8 (12 %).
        "11 %",
        "Délibérations du conseil municipal, Budget",
        "2024-10-01",
        "Oui 62 agents",
    ]
    assert cells[1][-1] == "inconnu (population ou agents manquants)"
    assert exported.headers["Content-Type"].startswith("text/csv")
    # For French spreadsheets: ";", oui/non, a byte-order mark for Excel.
    assert exported.body.startswith("\ufeffcommune;code_insee;siren;")
    rows = list(csv.DictReader(io.StringIO(exported.body[1:]), delimiter=";"))
    assert [r["commune"] for r in rows] == [
        "Engins",
        "Lans-en-Vercors",
        "Villard-de-Lans",
    ]
    assert rows[2]["jeux_prioritaires"] == "deliberations budget"
    assert rows[2]["obligee_de_publier"] == "oui"
    # The same for programs: ",", true/false, no mark.
    plain = app.get(
        "/organization/ccmv/dashboard.csv?separateur=virgule", headers=admin
    )
    rows = list(csv.DictReader(io.StringIO(plain.body)))
    assert rows[2]["obligee_de_publier"] == "True"


@pytest.mark.parametrize(
    "path", ["/organization/ccmv/dashboard", "/organization/ccmv/dashboard.csv"]
)
def test_only_the_epci_admins_and_sysadmins_see_the_dashboard(app, territory, path):
    statuses = {
        role: app.get(
            path,
            headers=headers(None if role == "anonymous" else territory["people"][role]),
        ).status_code
        for role in ROLES
    }

    assert statuses == {
        role: 200 if role in ("epci_admin", "sysadmin") else 403 for role in ROLES
    }


def test_a_commune_has_no_territory_dashboard(app, territory):
    response = app.get(
        "/organization/engins/dashboard",
        headers=headers(territory["people"]["sysadmin"]),
    )

    assert response.status_code == 404
    assert "n&#39;est pas une intercommunalité (EPCI)" in response.body


def test_the_epci_admin_enters_a_members_number_of_agents(app, uneven):
    admin = headers(uneven["people"]["epci_admin"])

    saved = app.post(
        "/organization/ccmv/dashboard/agents",
        headers=admin,
        data={
            "member": "engins",
            "agents_count": "64",
            "agents_count_date": "2024-12-31",
            "agents_count_source": "bilan social 2024",
        },
        follow_redirects=False,
    )
    page = app.get("/organization/ccmv/dashboard", headers=admin)

    assert saved.status_code == 302
    org = helpers.call_action("organization_show", id="engins")
    assert (org["agents_count"], org["agents_count_date"]) == (64, "2024-12-31")
    assert org["agents_count_source"] == "bilan social 2024"
    row = next(
        tr
        for tr in BeautifulSoup(page.body, "html.parser").select(
            "table.territoire-dashboard tbody tr"
        )
        if "Engins" in tr.get_text()
    )
    assert "64 agents" in row.get_text(" ", strip=True)
    assert "bilan social 2024" in row.get_text(" ", strip=True)


def test_a_wrong_number_of_agents_is_refused_naming_the_field(uneven):
    with pytest.raises(ValidationError) as error:
        helpers.call_action(
            "territoire_agents_update",
            context={"user": uneven["people"]["admin_a"]["name"]},
            id="engins",
            agents_count="beaucoup",
            agents_count_date="31/12/2024",
        )

    assert set(error.value.error_dict) == {"agents_count", "agents_count_date"}
    assert "beaucoup" in error.value.error_dict["agents_count"][0]
