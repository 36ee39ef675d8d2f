"""Anyone reads the contracts to come (page, feed, calendar, CSV, a past
contract's page), anonymous visitors included; a buyer whose procurement
dataset is private or deleted shows nowhere, nor its contracts' pages."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from tests.future.test_future_contracts import TODAY, imported  # noqa: F401

PAGES = (
    "/marches-a-venir",
    "/marches-a-venir/flux.atom",
    "/marches-a-venir/calendrier.ics",
    "/marches-a-venir.csv",
)


def contract_links(app) -> list[str]:
    soup = BeautifulSoup(app.get(f"/marches-a-venir?today={TODAY}").body, "html.parser")
    return [a["href"] for a in soup.select(".territoire-future-entry h3 a")]


@pytest.mark.parametrize("deleted", [False, True], ids=["private", "deleted"])
def test_an_unpublished_buyer_shows_nowhere(app, imported, deleted):  # noqa: F811
    from ckanext.opendata_territoire.decp.publish import find_dataset

    villard = [link for link in contract_links(app) if "2022-0003" in link]
    assert len(villard) == 1
    for path in PAGES:
        assert app.get(f"{path}?today={TODAY}").status_code == 200  # anonymous
    assert app.get(villard[0]).status_code == 200

    org = helpers.call_action("organization_show", id="villard-de-lans")
    dataset = find_dataset("213805484", org["id"])
    site_user = helpers.call_action("get_site_user")["name"]
    if deleted:
        helpers.call_action(
            "package_delete", context={"user": site_user}, id=dataset["id"]
        )
    else:
        helpers.call_action(
            "package_patch", context={"user": site_user}, id=dataset["id"], private=True
        )

    assert not any("2022-0003" in link for link in contract_links(app))
    for path in PAGES:
        body = app.get(f"{path}?today={TODAY}").body
        # Its renewal, and its contracts whose end is unknown.
        assert not {"Objet 3", "Objet 5", "Objet 6"} & set(
            re.findall(r"Objet \d", body)
        )
    app.get(villard[0], status=404)
