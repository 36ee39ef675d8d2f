"""An anonymous visitor's pages set no cookie, so that nginx may keep them
for the time CKAN allows (`make serve`): the language choice is a link,
not CKAN's form posted with a CSRF token (which gave every page a session
cookie). A signed-in user's pages are never public."""

from __future__ import annotations

import pytest

from tests.factories import dataset_fields
from tests.people import headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.mark.ckan_config("ckan.cache_enabled", "true")
@pytest.mark.ckan_config("ckan.cache_expires", "60")
def test_an_anonymous_page_sets_no_cookie_and_may_be_kept(app, territory):
    from ckan.tests import factories

    dataset = factories.Dataset(
        owner_org=territory["a"]["id"], **dataset_fields(title="Budget")
    )
    for path in ("/", "/dataset/", f"/dataset/{dataset['name']}", "/observatory"):
        page = app.get(path)

        assert page.status_code == 200, path
        assert "Set-Cookie" not in page.headers, (path, page.headers["Set-Cookie"])
        assert page.headers["Cache-Control"].startswith("public, max-age=60"), path
    # The languages, as links to the same page.
    assert 'hreflang="en" lang="en">English</a>' in app.get("/").body


@pytest.mark.ckan_config("ckan.cache_enabled", "true")
@pytest.mark.ckan_config("ckan.cache_expires", "60")
def test_a_signed_in_page_is_never_public(app, territory):
    page = app.get("/dataset/", headers=headers(territory["people"]["editor_a"]))

    assert "public" not in page.headers.get("Cache-Control", "")
