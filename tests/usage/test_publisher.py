"""The publisher's view: a commune's most used datasets, its use week by
week, its reuses and the datasets nobody opened in six months; the EPCI's
the same across its members; the monthly CSV; the demo's seeded usage."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from bs4 import BeautifulSoup
from ckan import logic, model
from ckan.cli.cli import ckan
from freezegun import freeze_time

from ckanext.opendata_territoire.usage import counting
from tests.people import headers
from tests.usage.conftest import call_as, create_dataset

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "fresh_visitors")

TODAY = "2026-11-12 10:00:00"  # a Thursday


def frozen():
    """Today is TODAY, except for PyJWT, which checks that the test users'
    API tokens were not issued in the future."""
    return freeze_time(TODAY, ignore=["jwt"])


def record(name: str, kind: str, day: str, count: int, resource: bool = False):
    package = model.Package.get(name)
    resource_id = package.resources[0].id if resource else ""
    counting.record(
        counting.Event(kind, package.id, resource_id),
        dt.date.fromisoformat(day),
        count,
    )


@pytest.fixture
def used(catalogue):
    """Engins: its budget much used, its old register used 200 days ago only;
    Villard-de-Lans: its menus a little, and a reuse of them published; the
    private draft of Engins was counted while it was public."""
    create_dataset(
        catalogue,
        "a",
        "registre-engins",
        title="Registre ancien",
        resources=[{"url": "https://example.org/registre.csv"}],
    )
    call_as(
        catalogue,
        "sysadmin",
        "resource_create",
        package_id="budget-engins",
        url="https://example.org/budget.csv",
    )
    record("budget-engins", "view", "2026-11-09", 12)
    record("budget-engins", "download", "2026-11-10", 5, resource=True)
    record("budget-engins", "api", "2026-11-03", 7, resource=True)
    record("budget-engins", "dump", "2026-10-31", 2, resource=True)
    record("registre-engins", "view", "2026-04-20", 1)
    record("menus-villard", "view", "2026-11-11", 3)
    record("brouillon-engins", "view", "2026-11-11", 40)
    call_as(
        catalogue,
        "editor_b",
        "territoire_reuse_create",
        title="Menus de la semaine",
        url="https://menus.example.org",
        type="application",
        datasets=["menus-villard"],
    )
    return catalogue


def usage(catalogue, org="engins", role="editor_a", **data):
    with frozen():
        return call_as(catalogue, role, "territoire_usage_show", id=org, **data)


def test_a_commune_sees_its_most_used_datasets(used):
    result = usage(used, weeks=4)

    assert [(d["name"], d["total"]) for d in result["top_datasets"]] == [
        ("budget-engins", 26)
    ]
    top = result["top_datasets"][0]
    assert (top["view"], top["download"], top["dump"], top["api"]) == (12, 5, 2, 7)
    assert result["total"] == {
        "view": 12,
        "download": 5,
        "dump": 2,
        "api": 7,
        "total": 26,
    }
    assert result["public_datasets"] == 2


def test_the_use_over_time_is_by_week(used):
    weeks = usage(used, weeks=3)["weeks"]

    assert [
        (w["week"], w["view"], w["download"], w["dump"], w["api"]) for w in weeks
    ] == [
        ("2026-10-26", 0, 0, 2, 0),
        ("2026-11-02", 0, 0, 0, 7),
        ("2026-11-09", 12, 5, 0, 0),
    ]


def test_the_datasets_nobody_opened_in_six_months_are_listed(used):
    unused = usage(used)["unused_datasets"]

    assert [(d["name"], d["last_used"]) for d in unused] == [
        ("registre-engins", "2026-04-20")
    ]


def test_a_private_dataset_is_never_shown_even_when_counted_before(used):
    result = usage(used, role="sysadmin")

    names = {d["name"] for d in result["top_datasets"] + result["unused_datasets"]}
    assert "brouillon-engins" not in names
    assert result["total"]["view"] == 12


def test_the_epci_sees_the_same_across_its_members(used):
    result = usage(used, org="ccmv", role="epci_admin", weeks=4)

    members = {m["name"]: m for m in result["members"]}
    assert list(members) == ["ccmv", "engins", "villard-de-lans"]
    assert (members["engins"]["total"], members["engins"]["unused_datasets"]) == (
        26,
        1,
    )
    assert (
        members["villard-de-lans"]["view"],
        members["villard-de-lans"]["reuses"],
    ) == (
        3,
        1,
    )
    assert [d["name"] for d in result["top_datasets"]] == [
        "budget-engins",
        "menus-villard",
    ]
    assert result["total"]["total"] == 29
    assert [r["title"] for r in result["reuses"]] == ["Menus de la semaine"]


def test_the_monthly_csv_has_one_row_per_dataset(app, used):
    with frozen():
        response = app.get(
            "/organization/ccmv/usage.csv?month=2026-11",
            headers=headers(used["people"]["epci_admin"]),
        )

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="utilisation-ccmv-2026-11.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.body[1:]), delimiter=";"))
    assert list(rows[0]) == [
        "mois",
        "organisation",
        "jeu_de_donnees",
        "titre",
        "vues",
        "telechargements",
        "exports_datastore",
        "appels_api",
        "total",
        "reutilisations",
    ]
    figures = {
        r["jeu_de_donnees"]: (
            r["vues"],
            r["telechargements"],
            r["exports_datastore"],
            r["appels_api"],
        )
        for r in rows
    }
    # The dump of 31 October belongs to October.
    assert figures == {
        "budget-engins": ("12", "5", "0", "7"),
        "menus-villard": ("3", "0", "0", "0"),
        "registre-engins": ("0", "0", "0", "0"),
    }


def test_the_export_defaults_to_the_last_complete_month(used):
    with frozen():
        rows = call_as(used, "editor_a", "territoire_usage_month", id="engins")

    assert {r["month"] for r in rows} == {"2026-10"}
    assert {r["dataset"]: r["dump"] for r in rows} == {
        "budget-engins": 2,
        "registre-engins": 0,
    }


def test_a_wrong_month_or_number_of_weeks_is_named(used):
    with pytest.raises(logic.ValidationError) as error:
        call_as(
            used, "editor_a", "territoire_usage_month", id="engins", month="11/2026"
        )
    assert error.value.error_dict == {
        "month": ['"11/2026" is not a month: write it YYYY-MM.']
    }
    with pytest.raises(logic.ValidationError) as error:
        usage(used, weeks=500)
    assert error.value.error_dict == {
        "weeks": ["Must be a whole number from 1 to 104."]
    }


def test_the_page_shows_the_figures(app, used):
    with frozen():
        page = app.get(
            "/organization/engins/usage?weeks=4",
            headers=headers(used["people"]["member_a"]),
        )

    soup = BeautifulSoup(page.body, "html.parser")
    top = soup.find("table", class_="territoire-usage-top")
    assert [c.text for c in top.find("tbody").find_all(["th", "td"])] == [
        "Budget engins",
        "12",
        "5",
        "2",
        "7",
        "0",
    ]
    assert "Registre ancien" in soup.find("ul", class_="territoire-usage-unused").text
    assert len(soup.find("table", class_="territoire-usage-weeks").find_all("tr")) == 5
    assert soup.find("table", class_="territoire-usage-members") is None


def test_the_epci_page_has_a_row_per_member(app, used):
    with frozen():
        page = app.get(
            "/organization/ccmv/usage", headers=headers(used["people"]["epci_admin"])
        )

    table = BeautifulSoup(page.body, "html.parser").find(
        "table", class_="territoire-usage-members"
    )
    assert [row.th.text for row in table.find("tbody").find_all("tr")] == [
        "CC du Massif du Vercors",
        "Engins",
        "Villard-de-Lans",
    ]


def test_the_dataset_page_shows_each_resource(app, used):
    with frozen():
        page = app.get(
            "/dataset/budget-engins/usage",
            headers=headers(used["people"]["epci_admin"]),
        )

    table = BeautifulSoup(page.body, "html.parser").find(
        "table", class_="territoire-usage-resources"
    )
    cells = [c.text for c in table.find("tbody").find_all(["th", "td"])]
    assert cells == ["https://example.org/budget.csv", "0", "5", "2", "7"]


def test_the_demo_seed_fills_the_publisher_view(app, catalogue, cli):
    first = cli.invoke(
        ckan, ["territoire", "usage", "seed-demo", "--epci", "243801024"]
    )
    again = cli.invoke(
        ckan, ["territoire", "usage", "seed-demo", "--epci", "243801024"]
    )

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert "0 réutilisations créées" in again.output
    result = call_as(
        catalogue, "epci_admin", "territoire_usage_show", id="ccmv", weeks=26
    )
    assert result["total"]["total"] > 0
    assert [r["title"] for r in result["reuses"]] == ["Carte des budgets du Vercors"]
    assert result["pending_reuses"] == 1
    unused = {d["name"] for d in result["unused_datasets"]}
    assert "ancien-plan-cadastral-engins" in unused
    assert "budget-primitif-2026-engins" not in unused
    page = app.get(
        "/organization/ccmv/usage", headers=headers(catalogue["people"]["epci_admin"])
    )
    assert page.status_code == 200
    assert "Budget primitif 2026" in page.body


def test_the_demo_seed_needs_the_territory(cli, clean_db):
    result = cli.invoke(
        ckan, ["territoire", "usage", "seed-demo", "--epci", "200000000"]
    )

    assert result.exit_code == 1
    assert "ckan territoire init --epci 200000000" in result.output
