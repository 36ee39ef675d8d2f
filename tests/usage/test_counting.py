"""Counting: a page view, a download, a DataStore dump and an API read each
count once, for the right dataset or resource, once per visitor and day;
private datasets, failed requests and robots are never counted."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import redis as ckan_redis
from ckan.tests import helpers
from freezegun import freeze_time

from ckanext.opendata_territoire.usage import counting, figures
from ckanext.opendata_territoire.usage.model import UsageCount
from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "fresh_visitors")

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


@pytest.fixture
def resources(catalogue, create_with_upload):
    """An uploaded CSV file with its DataStore table in the public dataset,
    and a resource of the private one."""
    sysadmin = {"user": catalogue["people"]["sysadmin"]["name"]}
    uploaded = create_with_upload(
        "commune,montant\nEngins,1200\n",
        "budget.csv",
        package_id="budget-engins",
        context=sysadmin,
    )
    helpers.call_action(
        "datastore_create",
        context=sysadmin,
        resource_id=uploaded["id"],
        force=True,
        fields=[{"id": "commune"}, {"id": "montant", "type": "int"}],
        records=[{"commune": "Engins", "montant": 1200}],
    )
    private = helpers.call_action(
        "resource_create",
        context=sysadmin,
        package_id="brouillon-engins",
        url="https://example.org/brouillon.csv",
    )
    return {"file": uploaded, "private": private}


def counts() -> dict[tuple[str, str, str], int]:
    """Every stored count as {(dataset name, resource id or "", kind): n}."""
    model.Session.remove()
    found = {}
    for row in model.Session.query(UsageCount):
        name = model.Package.get(row.package_id).name
        key = (name, row.resource_id, row.kind)
        found[key] = found.get(key, 0) + row.count
    return found


def test_a_download_counts_once_as_a_download(app, resources):
    rid = resources["file"]["id"]

    response = app.get(
        f"/dataset/budget-engins/resource/{rid}/download/budget.csv", headers=BROWSER
    )

    assert response.status_code == 200
    assert counts() == {("budget-engins", rid, "download"): 1}


def test_a_dump_counts_once_as_a_dump(app, resources):
    rid = resources["file"]["id"]

    response = app.get(f"/datastore/dump/{rid}?format=csv", headers=BROWSER)

    assert response.status_code == 200
    assert "Engins" in response.body
    assert counts() == {("budget-engins", rid, "dump"): 1}


def test_an_api_read_counts_once_as_an_api_call(app, resources):
    rid = resources["file"]["id"]

    app.get("/api/3/action/package_show?id=budget-engins", headers=BROWSER)
    app.post(
        "/api/3/action/datastore_search",
        json={"resource_id": rid, "limit": 1},
        headers=BROWSER,
    )

    assert counts() == {
        ("budget-engins", "", "api"): 1,
        ("budget-engins", rid, "api"): 1,
    }


def test_the_pages_of_a_dataset_and_of_a_resource_count_as_views(app, resources):
    rid = resources["file"]["id"]

    app.get("/dataset/budget-engins", headers=BROWSER)
    app.get(f"/dataset/budget-engins/resource/{rid}", headers=BROWSER)

    assert counts() == {
        ("budget-engins", "", "view"): 1,
        ("budget-engins", rid, "view"): 1,
    }


def from_address(address: str) -> dict[str, dict[str, str]]:
    return {"environ_overrides": {"REMOTE_ADDR": address}}


def test_a_visitor_counts_once_a_day_another_visitor_counts_again(app, resources):
    rid = resources["file"]["id"]
    url = f"/dataset/budget-engins/resource/{rid}/download"

    for _ in range(3):
        app.get(url, headers=BROWSER, **from_address("198.51.100.7"))
    app.get(url, headers=BROWSER, **from_address("203.0.113.9"))

    assert counts() == {("budget-engins", rid, "download"): 2}


def test_changing_the_user_agent_does_not_make_a_new_visitor(app, resources):
    """The probe inflated a dataset's views from 2 to 5 in 4 requests, each
    with another user agent."""
    for n in range(4):
        app.get(
            "/dataset/budget-engins",
            headers={"User-Agent": f"Mozilla/5.0 (variante {n})"},
            **from_address("198.51.100.7"),
        )

    assert counts() == {("budget-engins", "", "view"): 1}


def test_a_private_dataset_is_never_counted(app, catalogue, resources):
    member = catalogue["people"]["member_a"]
    rid = resources["private"]["id"]

    assert (
        app.get("/dataset/brouillon-engins", headers=headers(member)).status_code == 200
    )
    app.get(
        f"/dataset/brouillon-engins/resource/{rid}/download",
        headers=headers(member),
        follow_redirects=False,
    )
    app.get("/api/3/action/package_show?id=brouillon-engins", headers=headers(member))

    assert counts() == {}


def test_failed_requests_searches_and_robots_are_not_counted(app, resources):
    app.get("/dataset/inconnu", headers=BROWSER)
    app.get("/api/3/action/package_show?id=inconnu", headers=BROWSER)
    app.get("/api/3/action/package_search?q=budget", headers=BROWSER)
    app.get("/dataset/", headers=BROWSER)
    app.get(
        "/dataset/budget-engins",
        headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
    )

    assert counts() == {}


@pytest.mark.ckan_config("ckanext.territoire.usage_counting", "false")
def test_nothing_is_counted_when_counting_is_off(app, resources):
    app.get("/dataset/budget-engins", headers=BROWSER)

    assert counts() == {}
    assert ckan_redis.connect_to_redis().keys("territoire:usage:*") == []


def test_redis_keeps_no_address_and_forgets_the_visitors_within_48_hours(
    app, resources
):
    app.get(
        "/dataset/budget-engins",
        headers=BROWSER,
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )

    redis = ckan_redis.connect_to_redis()
    keys = redis.keys("territoire:usage:*")
    assert len(keys) == 2
    for key in keys:
        assert 0 < redis.ttl(key) <= 48 * 3600
    seen = next(k for k in keys if b":seen:" in k)
    (digest,) = redis.smembers(seen)
    assert b"203.0.113.7" not in digest
    assert b"Firefox" not in digest
    assert len(digest) == 64


def test_weeks_and_months_add_up_across_their_boundaries(app, resources):
    rid = resources["file"]["id"]
    download = f"/dataset/budget-engins/resource/{rid}/download"
    # Saturday 31 October and Sunday 1 November 2026 are in the same ISO
    # week (Monday 26 October) but in two months.
    visits = {
        "2026-10-31": 2,
        "2026-11-01": 1,
        "2026-11-02": 3,
        "2026-11-10": 1,
    }
    for day, visitors in visits.items():
        with freeze_time(f"{day} 10:00:00"):
            for n in range(visitors):
                app.get(download, **from_address(f"198.51.100.{n + 1}"))

    with freeze_time("2026-11-12 09:00:00"):
        series = figures.weekly([resources["file"]["package_id"]], weeks=3)
    assert [(w["week"], w["download"]) for w in series] == [
        ("2026-10-26", 3),
        ("2026-11-02", 3),
        ("2026-11-09", 1),
    ]
    package_id = resources["file"]["package_id"]
    october = figures.by_target([package_id], *figures.month_bounds("2026-10"))
    november = figures.by_target([package_id], *figures.month_bounds("2026-11"))
    assert october[package_id]["download"] == 2
    assert november[package_id]["download"] == 5


def test_the_purge_keeps_the_retention_period(cli, resources):
    event = counting.Event("view", resources["file"]["package_id"])
    counting.record(event, dt.date(2024, 10, 31))
    counting.record(event, dt.date(2024, 11, 1))

    with freeze_time("2026-11-15 12:00:00"):
        result = cli.invoke(ckan, ["territoire", "usage", "purge"])

    assert result.exit_code == 0, result.output
    assert "1 " in result.output
    model.Session.remove()
    assert [row.day for row in model.Session.query(UsageCount)] == [
        dt.date(2024, 11, 1)
    ]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_visitor(app, resources):
    for client in ("198.51.100.7", "203.0.113.9", "198.51.100.7"):
        app.get(
            "/dataset/budget-engins",
            headers={**BROWSER, "X-Forwarded-For": f"{client}, 127.0.0.1"},
            **from_address("127.0.0.1"),
        )

    assert counts() == {("budget-engins", "", "view"): 2}


def test_an_untrusted_peer_cannot_make_visitors_up_with_the_header(app, resources):
    for n in range(3):
        app.get(
            "/dataset/budget-engins",
            headers={**BROWSER, "X-Forwarded-For": f"192.0.2.{n}"},
            **from_address("198.51.100.7"),
        )

    assert counts() == {("budget-engins", "", "view"): 1}
