"""Every uploaded CSV file gets a table preview: the validation job loads it
into the DataStore (its header as the columns' labels) and gives it a data
table view; a new upload is loaded again; a file replaced by a link loses
its table; a private dataset's table stays private."""

from __future__ import annotations

import io

import pytest
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from tests.quality.conftest import context_of, fixture_file, run_jobs
from tests.quality.test_validation_job import create_dataset

pytestmark = pytest.mark.usefixtures(
    "clean_db", "clean_index", "clean_queues", "clean_datastore"
)

MENUS = (
    "Date;Entrée;Plat;Dessert\n"
    "2025-01-06;Carottes râpées;Hachis parmentier;Compote\n"
    "2025-01-07;Potage;Lasagnes;Yaourt\n"
).encode("cp1252")


def upload(territory, dataset, data: bytes, name="menus.csv"):
    return helpers.call_action(
        "resource_create",
        context=context_of(territory, "editor_a"),
        package_id=dataset["id"],
        name=name,
        format="CSV",
        upload=FileStorage(io.BytesIO(data), name),
    )


def rows(resource_id):
    return helpers.call_action("datastore_search", resource_id=resource_id)


@pytest.mark.usefixtures("schema_catalogue")
def test_an_uploaded_csv_is_previewed_as_a_table(territory):
    dataset = create_dataset(territory, name="menus")
    resource = upload(territory, dataset, MENUS)

    run_jobs()

    found = rows(resource["id"])
    assert found["total"] == 2
    assert found["records"][0]["Plat"] == "Hachis parmentier"  # cp1252, ";"
    labels = {f["id"]: f.get("info", {}).get("label") for f in found["fields"]}
    assert labels["Entrée"] == "Entrée"
    views = helpers.call_action("resource_view_list", id=resource["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]


@pytest.mark.usefixtures("schema_catalogue")
def test_a_new_upload_is_loaded_again_and_a_link_loses_the_table(territory):
    dataset = create_dataset(territory, name="deliberations")
    resource = upload(territory, dataset, fixture_file("deliberations_valid.csv"))
    run_jobs()
    first = rows(resource["id"])["total"]

    helpers.call_action(
        "resource_patch",
        context=context_of(territory, "editor_a"),
        id=resource["id"],
        upload=FileStorage(io.BytesIO(MENUS), "menus.csv"),
    )
    run_jobs()
    assert rows(resource["id"])["total"] == 2 != first

    helpers.call_action(
        "resource_patch",
        context=context_of(territory, "editor_a"),
        id=resource["id"],
        url="https://engins.example/menus.csv",
        url_type="",
    )
    run_jobs()
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert not shown.get("datastore_active")


@pytest.mark.usefixtures("schema_catalogue")
def test_the_table_of_a_private_dataset_stays_private(territory):
    dataset = create_dataset(territory, name="brouillon", private=True)
    resource = upload(territory, dataset, MENUS)
    run_jobs()

    assert rows(resource["id"])["total"] == 2  # the site, as sysadmin
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action(
            "datastore_search",
            context={"user": "", "ignore_auth": False},
            resource_id=resource["id"],
        )


def test_a_datastore_table_of_the_portal_is_not_said_unvalidated(
    territory, cli, tmp_path, app
):
    """The contracts table of the DECP import (url_type datastore, its
    address the portal's own dump) is not "non validé: adresse interne"."""
    import json

    from ckan.cli.cli import ckan as ckan_command

    from tests.decp.test_import import ENGINS, marche_2022

    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": {"marche": [marche_2022(1, ENGINS)]}}))
    result = cli.invoke(ckan_command, ["territoire", "decp", "import", str(path)])
    assert result.exit_code == 0, result.output
    run_jobs()

    found = helpers.call_action(
        "package_search", fq="decp_buyer_siren:[* TO *]", include_private=True
    )["results"][0]
    table = next(r for r in found["resources"] if r["url_type"] == "datastore")
    shown = helpers.call_action("territoire_validation_show", id=table["id"])
    assert (shown["status"], shown["reason"]) == ("none", "datastore")
    page = app.get(f"/dataset/{found['name']}/resource/{table['id']}")
    assert "adresse interne" not in page.body
