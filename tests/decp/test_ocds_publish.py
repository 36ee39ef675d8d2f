"""The OCDS release package of each procurement dataset, end to end: the
file "OCDS (release package)" the import writes beside the DECP JSON and CSV
files (kept current, never blanked by a failed run), the action
territoire_contracts_ocds that returns the same package, and who may read
it (whoever may see the dataset)."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.opendata_territoire.decp import ocds
from tests import factories
from tests.decp.test_import import (
    ENGINS,
    VILLARD,
    dataset_of,
    file_of,
    marche_2022,
    run,
    write,
)
from tests.decp.test_ocds import errors_of
from tests.people import ROLES, user_of

pytestmark = pytest.mark.usefixtures("clean_datastore", "with_request_context")

OCDS_FILE = "decp-213801533-ocds.json"


@pytest.fixture
def national(tmp_path):
    """3 contracts of Engins (one dirty, one with an absurd amount), 1 of
    Villard."""
    return write(
        tmp_path / "decp-national.json",
        [
            marche_2022(1, ENGINS),
            marche_2022(2, ENGINS, procedure="procédure adaptée", dureeMois="NC"),
            marche_2022(3, ENGINS, montant=1.0e17),
            marche_2022(4, VILLARD),
        ],
    )


def as_sysadmin(territory):
    return {"user": territory["people"]["sysadmin"]["name"]}


def ocds_resource(dataset):
    (resource,) = [r for r in dataset["resources"] if r["url"].endswith(OCDS_FILE)]
    return resource


def test_the_import_publishes_a_valid_ocds_file(cli, app, national, territory):
    run(cli, national)
    engins = dataset_of("engins")

    resource, text = file_of(app, engins, OCDS_FILE)
    package = json.loads(text)

    assert errors_of(package) == []
    assert resource["name"] == "OCDS (paquet de publications)"
    assert resource["format"] == "JSON"
    assert "territoire_contracts_ocds" in resource["description"]
    assert [r["ocid"] for r in package["releases"]] == [
        f"ocds-xxxxxx-{ENGINS}2024-000{n}" for n in (1, 2, 3)
    ]
    assert package["uri"].endswith(
        "/api/3/action/territoire_contracts_ocds?id=marches-publics-engins"
    )
    assert package["publisher"] == {
        "name": "Engins",
        "scheme": "FR-RCS",
        "uid": "213801533",
        "uri": "http://test.ckan.net/organization/engins",
    }
    assert package["license"] == engins["license_url"]
    # The contract whose absurd amount the cleaning removed has no value.
    third = package["releases"][2]
    assert "value" not in third["contracts"][0]
    assert third["awards"][0]["suppliers"]


def test_the_action_returns_the_package_of_the_file(cli, app, national, territory):
    run(cli, national)
    engins = dataset_of("engins")
    _resource, text = file_of(app, engins, OCDS_FILE)

    by_name = helpers.call_action("territoire_contracts_ocds", id=engins["name"])
    by_id = helpers.call_action("territoire_contracts_ocds", id=engins["id"])

    assert by_name == by_id == json.loads(text)


@pytest.mark.ckan_config(ocds.PREFIX_OPTION, "ocds-a1b2c3")
def test_the_ocid_prefix_is_the_configured_one(cli, national, territory):
    run(cli, national)
    engins = dataset_of("engins")

    package = helpers.call_action("territoire_contracts_ocds", id=engins["name"])

    assert {r["ocid"][:12] for r in package["releases"]} == {"ocds-a1b2c3-"}


def test_the_file_follows_the_table(cli, national, territory, tmp_path):
    """A changed contract rewrites the file; an unchanged table leaves it;
    a dataset published before the OCDS file existed gets it at the next
    run."""
    run(cli, national)
    before = ocds_resource(dataset_of("engins"))

    changed = write(
        tmp_path / "changed.json", [marche_2022(1, ENGINS, montant=130000.0)]
    )
    result = run(cli, changed, "--json")
    engins = next(
        b for b in json.loads(result.output)["buyers"] if b["siren"] == "213801533"
    )
    assert OCDS_FILE in engins["files"]
    after = ocds_resource(dataset_of("engins"))
    assert after["id"] == before["id"] and after["hash"] != before["hash"]
    package = helpers.call_action(
        "territoire_contracts_ocds", id="marches-publics-engins"
    )
    assert package["releases"][0]["contracts"][0]["value"]["amount"] == 130000.0

    helpers.call_action(
        "resource_delete", context=as_sysadmin(territory), id=after["id"]
    )
    result = run(cli, changed, "--json")
    engins = next(
        b for b in json.loads(result.output)["buyers"] if b["siren"] == "213801533"
    )
    assert OCDS_FILE in engins["files"]
    assert ocds_resource(dataset_of("engins"))["hash"] == after["hash"]


def test_a_failed_run_leaves_the_ocds_file(
    cli, national, territory, tmp_path, monkeypatch
):
    run(cli, national)
    before = ocds_resource(dataset_of("engins"))

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(ocds, "write_package", broken)
    changed = write(
        tmp_path / "changed.json", [marche_2022(1, ENGINS, montant=130000.0)]
    )
    result = run(cli, changed, "--json")

    assert result.exit_code == 1
    errors = {b["siren"]: b["error"] for b in json.loads(result.output)["buyers"]}
    assert errors["213801533"] == "disque plein"
    after = ocds_resource(dataset_of("engins"))
    assert (after["hash"], after["size"], after["url"]) == (
        before["hash"],
        before["size"],
        before["url"],
    )


def call(app, dataset_id):
    """The action through the API, anonymously (the tests of this module
    run in a request context, whose signed-in user the test client would
    keep: the other roles are asked through call_auth)."""
    return app.get(
        "/api/3/action/territoire_contracts_ocds", query_string={"id": dataset_id}
    )


def may_read(territory, role, dataset_id) -> bool:
    user = user_of(territory, role)
    context = {"user": user["name"] if user else "", "model": model}
    try:
        return bool(
            helpers.call_auth("territoire_contracts_ocds", context, id=dataset_id)
        )
    except tk.NotAuthorized:
        return False


def test_who_reads_the_package_of_a_private_dataset(cli, app, national, territory):
    """Anyone reads a public dataset's package; a private one's, those who
    may see the dataset: its organization's members, the EPCI's admins,
    sysadmins; not an editor of another commune."""
    run(cli, national)
    engins = dataset_of("engins")
    public = {role: may_read(territory, role, engins["name"]) for role in ROLES}
    assert call(app, engins["name"]).status_code == 200

    helpers.call_action(
        "package_patch", context=as_sysadmin(territory), id=engins["id"], private=True
    )
    private = {role: may_read(territory, role, engins["name"]) for role in ROLES}

    assert public == dict.fromkeys(ROLES, True)
    assert {role for role, allowed in private.items() if allowed} == {
        "member_a",
        "editor_a",
        "admin_a",
        "epci_admin",
        "sysadmin",
    }
    assert call(app, engins["name"]).status_code == 403
    package = helpers.call_action(
        "territoire_contracts_ocds",
        context={
            "user": territory["people"]["epci_admin"]["name"],
            "ignore_auth": False,
        },
        id=engins["name"],
    )
    assert len(package["releases"]) == 3


def test_a_dataset_without_contracts_table_is_refused(app, territory):
    dataset = factories.dataset(owner_org=territory["a"]["id"])

    response = call(app, dataset["name"])

    assert response.status_code == 409
    assert "id" in response.json["error"]
    assert call(app, "nothing-here").status_code == 404
