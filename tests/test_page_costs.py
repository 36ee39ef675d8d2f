"""What every page or every dataset page asks is asked once and cheaply:
the publisher's box beside a dataset reads its organization once a request
(CKAN's page asked twice, with its members and followers), and the header's
logo reads the EPCI's row, not organization_show."""

from __future__ import annotations

import pytest
from ckan.lib.helpers import helper_functions as h

from tests.factories import dataset_fields

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def test_the_publishers_box_reads_its_organization_once_a_request(app, territory):
    from ckan.tests import factories

    dataset = factories.Dataset(
        owner_org=territory["a"]["id"], **dataset_fields(title="Budget")
    )
    with app.flask_app.test_request_context("/"):
        first = h.get_organization(territory["a"]["id"])
        second = h.get_organization(territory["a"]["id"])
    with app.flask_app.test_request_context("/"):
        next_request = h.get_organization(territory["a"]["id"])

    assert first is second  # asked once in a request
    assert next_request is not first  # not kept across requests
    assert first["title"] == "Engins"
    assert "users" not in first
    page = app.get(f"/dataset/{dataset['name']}")
    assert page.status_code == 200
    assert "Engins" in page.body


@pytest.mark.ckan_config("ckanext.territoire.epci_siren", "243801024")
def test_the_header_logo_is_the_epcis_uploaded_image(app, territory):
    from ckan import model

    model.Session.query(model.Group).filter(model.Group.name == "ccmv").update(
        {"image_url": "2026-12-04-ccmv.png"}
    )
    model.Session.commit()

    page = app.get("/")

    assert "/uploads/group/2026-12-04-ccmv.png" in page.body
