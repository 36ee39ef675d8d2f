"""No English on French pages: the portal's pages, crawled from the home
page as an anonymous reuser, a commune's editor and the EPCI's administrator,
show no string of CKAN's or ckanext-harvest's English catalogues (nor
English written in their templates without gettext), no date in the
English order and no "1 membres" (dev/untranslated.py, which also crawls a
served demo)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import shared_request_context
from tests.factories import dataset_fields
from tests.people import headers
from tests.scripts import load

untranslated = load("dev/untranslated.py", "untranslated")


def test_the_scan_finds_what_ckan_and_ckanext_harvest_leave_in_english():
    """What CKAN 2.11 and ckanext-harvest show on a French portal without
    this extension: each is found (the scan can fail)."""
    page = """<html><body>
      <div class="visually-hidden-focusable">
        <a href="#content">Skip to main content</a></div>
      <nav aria-label="Breadcrumb"></nav>
      <label class="control-label">Source type</label>
      <a class="btn btn-success"><i></i> Follow</a>
      <span class="date">décembre 4, 2026, 05:31 (UTC)</span>
      <a>Editer la ressource</a>
      <p>1 membres</p>
      <input type="submit" value="Save">
      <pre>Search Datasets...</pre>
      <p>Saved; Sauvegarder</p>
    </body></html>"""

    found = untranslated.untranslated(page)

    assert found == {
        "Skip to main content",
        "Breadcrumb",
        "Source type",
        "Follow",
        "date in English order: décembre 4, 2026",
        "Editer la ressource",
        "plural after 1: 1 membres",
        "Save",
    }


@pytest.fixture
def portal(territory) -> dict[str, Any]:
    """A small catalogue with what the crawl should meet: a commune's public
    dataset with a file, a private one, a DECP harvest source with a job,
    an activity stream."""
    from ckan import model
    from ckan.tests import factories

    # CKAN's factories write English sentences (Faker) in the descriptions:
    # user content, which the scan would read as English left by the portal.
    model.Session.query(model.Group).update(
        {"description": "Collectivité du territoire."}
    )
    model.Session.query(model.User).update({"about": ""})
    model.Session.commit()
    people = territory["people"]
    with shared_request_context():
        public = factories.Dataset(
            owner_org=territory["a"]["id"],
            user=people["editor_a"],
            **dataset_fields(title="Menus de la cantine", notes="Les menus."),
        )
        factories.Resource(
            package_id=public["id"],
            url="http://127.0.0.1/menus.csv",
            format="CSV",
            name="Menus 2026",
            description="Les menus de janvier.",
        )
        factories.Dataset(
            owner_org=territory["a"]["id"],
            private=True,
            **dataset_fields(title="Brouillon de la commune", notes="À relire."),
        )
        import ckan.plugins.toolkit as tk

        source = tk.get_action("harvest_source_create")(
            {"user": people["sysadmin"]["name"]},
            {
                "name": "decp-du-territoire",
                "title": "Marchés publics du territoire",
                "url": "https://decp.example/fr/datasets/608c055b35eb4e6ee20eb325/",
                "source_type": "decp",
                "frequency": "MANUAL",
                "owner_org": territory["epci"]["id"],
            },
        )
        tk.get_action("harvest_job_create")(
            {"user": people["sysadmin"]["name"]}, {"source_id": source["id"]}
        )
    return {"people": people, "dataset": public}


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_no_english_on_the_pages_of_three_roles(app, portal):
    people = portal["people"]
    crawls = {}
    for role in ("anonymous", "editor_a", "epci_admin"):
        user = None if role == "anonymous" else people[role]
        # The EPCI's members page: one member ("1 membre", CKAN writes
        # "1 membre : 1 membres").
        start = [*untranslated.START, "/organization/members/ccmv"]
        if user:
            start += [p.format(user=user["name"]) for p in untranslated.SIGNED_IN]
            start += ["/organization/engins/guide", "/organization/engins/dashboard"]

        def fetch(path: str, user: Any = user) -> tuple[int, str]:
            response = app.get(path, headers=headers(user), follow_redirects=True)
            kind = response.headers.get("Content-Type", "")
            return response.status_code, response.body if "html" in kind else ""

        crawls[role] = untranslated.crawl(fetch, start, limit=45)

    # The crawl saw the pages where English was found before.
    seen = {path for crawl in crawls.values() for path in crawl.pages}
    for page in (
        "/",
        "/user/login",
        "/dataset/page-qui-n-existe-pas",
        f"/dataset/{portal['dataset']['name']}",
        "/harvest/new",
        "/harvest/decp-du-territoire",
        "/dashboard/datasets",
        "/organization/members/ccmv",
    ):
        assert page in seen, page
    report = "\n".join(untranslated.report(role, c) for role, c in crawls.items())
    english = {role: c.english for role, c in crawls.items() if c.english}
    assert english == {}, report
