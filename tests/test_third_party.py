"""No page makes the browser call another host: no Gravatar (it sends a hash
of each user's e-mail abroad, and held a page 5 s when it could not be
reached), no font or script from a CDN. Every image, script, style sheet,
icon and frame of the main pages, for an anonymous visitor, a commune's
editor and the EPCI's administrator, comes from the portal itself."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import shared_request_context
from tests.factories import dataset_fields
from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

# What a page loads by itself (not the links a visitor may follow).
LOADED = {
    "img": "src",
    "script": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "link": "href",
}
OWN_HOSTS = {"", "test.ckan.net", "127.0.0.1", "localhost"}


def other_hosts(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attribute in LOADED.items():
        for element in soup.find_all(tag):
            if tag == "link" and not {"stylesheet", "icon", "preload"} & set(
                element.get("rel") or []
            ):
                continue
            url = element.get(attribute) or ""
            if url.startswith("//") or urlsplit(url).hostname not in (None, *OWN_HOSTS):
                found.append(f"<{tag}> {url}")
        for element in soup.find_all(srcset=True):
            found += [
                f"<{element.name} srcset> {part}"
                for part in element["srcset"].split(",")
                if "//" in part
            ]
    return found


@pytest.fixture
def pages(territory):
    from ckan import model
    from ckan.tests import factories

    # CKAN's factories give organizations and users a random image from
    # picsum.photos or dummyimage.com: images given by URL on another host,
    # which the pages must not load.
    assert (
        model.Session.query(model.Group)
        .filter(model.Group.image_url.like("http%"))
        .count()
    )
    with shared_request_context():
        dataset = factories.Dataset(
            owner_org=territory["a"]["id"],
            **dataset_fields(title="Menus de la cantine"),
        )
    people = territory["people"]
    return {
        "paths": [
            "/",
            "/dataset/",
            f"/dataset/{dataset['name']}",
            "/organization/",
            "/organization/engins",
            f"/user/{people['editor_a']['name']}",
            "/user/register",
            "/about",
            "/observatory",
        ],
        "private": {
            "editor_a": ["/dashboard/datasets", f"/dataset/edit/{dataset['name']}"],
            "epci_admin": ["/dashboard/datasets", "/organization/edit/ccmv"],
        },
        "people": people,
    }


@pytest.mark.parametrize("role", ["anonymous", "editor_a", "epci_admin"])
def test_no_page_loads_anything_from_another_host(app, pages, role):
    user = None if role == "anonymous" else pages["people"][role]
    paths = pages["paths"] + pages["private"].get(role, [])
    loaded_elsewhere = {}
    for path in paths:
        response = app.get(path, headers=headers(user))
        assert response.status_code == 200, path
        found = other_hosts(response.body)
        if found:
            loaded_elsewhere[path] = found

    assert loaded_elsewhere == {}


def test_an_image_on_another_host_is_kept_for_the_api_not_shown(app, pages):
    from ckan.tests import helpers

    shown = helpers.call_action("organization_show", id="engins")
    page = app.get("/organization/")

    assert shown["image_url"].startswith("http")  # as its admin entered it
    assert shown["image_display_url"] == ""
    assert shown["image_url"] not in page.body
    assert "placeholder-organization" in page.body


def test_an_uploaded_image_is_shown(app, pages):
    from ckan import model
    from ckan.tests import helpers

    model.Session.query(model.Group).filter(model.Group.name == "engins").update(
        {"image_url": "2026-12-04-logo.png"}
    )
    model.Session.commit()

    shown = helpers.call_action("organization_show", id="engins")
    page = app.get("/organization/")

    assert shown["image_display_url"].endswith("/uploads/group/2026-12-04-logo.png")
    assert "/uploads/group/2026-12-04-logo.png" in page.body


def test_users_have_no_gravatar(app, pages):
    page = app.get(f"/user/{pages['people']['editor_a']['name']}")

    assert "gravatar.com" not in page.body
