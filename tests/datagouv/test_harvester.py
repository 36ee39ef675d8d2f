"""The data.gouv.fr harvester (plugin udata_harvester) against a local
server that answers like data.gouv.fr's API v1: an organization's datasets
page by page, named datasets, organizations with their SIREN; missing
fields, an unknown licence, datasets deleted at the source, HTTP errors.
Each test asserts what an EPCI admin reads in the job report and what the
catalogue then shows; nothing published is lost."""

from __future__ import annotations

import json
import re

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.opendata_territoire.datagouv.harvester import parse_config
from ckanext.opendata_territoire.datagouv.mapping import resource_id
from tests.datagouv.conftest import harvest, source
from tests.datagouv.fake_udata import (
    ENGINS_ORG,
    VILLARD_ORG,
    dataset,
    describe,
    organization,
    udata_dataset,
)
from tests.decp.fake_datagouv import Route

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context")

VILLARD_SIREN = "213805484"
ENGINS_SIREN = "213801533"


def org_url(fake, org=VILLARD_ORG):
    return f"{fake.url}/fr/organizations/{org['slug']}/"


def datasets_of(org_name):
    found = helpers.call_action(
        "package_search", fq=f"organization:{org_name}", rows=100, include_private=True
    )
    return {d["title"]: d for d in found["results"]}


def shown(remote):
    return helpers.call_action("package_show", id=remote["slug"])


def three_datasets():
    return [udata_dataset(1), udata_dataset(2), udata_dataset(3)]


def test_an_organization_is_harvested_page_by_page_into_its_commune(
    datagouv, territory
):
    first, second, third = three_datasets()
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second], [third]], 2)

    run = harvest(source(org_url(datagouv), {"page_size": 2}))

    assert run.gather_errors == []
    assert run.statuses() == ["added", "added", "added"]
    assert (
        f"/api/1/organizations/{VILLARD_ORG['slug']}/datasets/?page=2&page_size=2"
        in datagouv.requests
    )
    # The owner is found by the SIREN data.gouv.fr gives the organization.
    assert sorted(datasets_of("villard-de-lans")) == [
        "Jeu de données 1",
        "Jeu de données 2",
        "Jeu de données 3",
    ]
    assert datasets_of("engins") == {}


def test_every_field_is_mapped_to_the_schema(datagouv, territory):
    remote = udata_dataset(
        7,
        frequency="monthly",
        temporal_coverage={
            "start": "2023-01-01T00:00:00+00:00",
            "end": "2023-12-31T00:00:00+00:00",
        },
        spatial={
            "zones": ["fr:commune:38548", "fr:epci:243801024", "fr:departement:38"],
            "granularity": "fr:commune",
        },
        schema={"name": "scdl/menus-collectifs", "version": "2.0.0"},
        contact_points=[{"name": "Service cantine", "email": "cantine@villard.fr"}],
    )
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)

    run = harvest(source(org_url(datagouv)))

    ours = shown(remote)
    assert ours["title"] == "Jeu de données 7"
    assert ours["notes"] == "Description **Markdown** du jeu 7."
    assert ours["organization"]["name"] == "villard-de-lans"
    assert ours["license_id"] == "lov2"
    assert ours["frequency"] == "monthly"
    assert (ours["temporal_start"], ours["temporal_end"]) == (
        "2023-01-01",
        "2023-12-31",
    )
    assert ours["spatial_insee"] == ["38548", "243801024"]
    assert ours["spatial_granularity"] == "fr:commune"
    assert ours["schema_name"] == "scdl/menus-collectifs"
    assert ours["schema_version"] == "2.0.0"
    assert ours["contact_email"] == "cantine@villard.fr"
    assert ours["contact_name"] == "Service cantine"
    assert ours["data_updated"] == "2024-05-02"
    assert sorted(t["name"] for t in ours["tags"]) == ["cantine", "menus"]
    assert ours["harvest_origin_url"] == remote["page"]
    assert ours["personal_data"] == "none"
    assert ours["private"] is False
    (resource,) = ours["resources"]
    source_id = run.objects[remote["id"]].harvest_source_id
    assert resource["id"] == resource_id(source_id, remote["resources"][0]["id"])
    assert resource["url"] == remote["resources"][0]["latest"]
    assert resource["name"] == "donnees-7.csv"
    assert resource["format"] == "CSV"
    assert resource["hash"] == f"{7:040x}"
    assert resource["size"] == 2048
    assert resource["mimetype"] == "text/csv"
    assert resource["last_modified"].startswith("2024-05-02T09:30:00")
    # What could not be kept is noted, naming the dataset: not an error.
    assert run.notes() == [
        f"« Jeu de données 7 » ({remote['id']}) : zones de la couverture "
        "spatiale écartées (ni une commune ni un EPCI) : fr:departement:38"
    ]
    assert run.errors() == []
    assert run.statuses() == ["added"]


def test_the_dataset_page_links_to_the_original(app, datagouv, territory):
    remote = udata_dataset(1)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)
    harvest(source(org_url(datagouv)))

    page = app.get(f"/dataset/{remote['slug']}")

    assert remote["page"] in page.body
    assert "Moissonné depuis www.data.gouv.fr" in page.body


def test_an_unchanged_source_writes_nothing_the_second_time(datagouv, territory):
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 50)
    src = source(org_url(datagouv))
    harvest(src)
    before = {
        t: d["metadata_modified"] for t, d in datasets_of("villard-de-lans").items()
    }
    # Only the figures data.gouv.fr counts changed.
    changed = three_datasets()
    for item in changed:
        item["metrics"] = {"views": 999}
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [changed], 50)

    run = harvest(src)

    assert run.objects == {}
    assert run.gather_errors == []
    after = {
        t: d["metadata_modified"] for t, d in datasets_of("villard-de-lans").items()
    }
    assert after == before


def test_a_changed_dataset_is_updated_and_keeps_what_editors_added(datagouv, territory):
    remote = udata_dataset(1)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)
    src = source(org_url(datagouv))
    harvest(src)
    helpers.call_action(
        "package_patch",
        {"user": territory["people"]["editor_b"]["name"]},
        id=remote["slug"],
        theme=["EDUC"],
        producer_service="Service scolaire",
    )
    changed = udata_dataset(1, title="Menus de la cantine", frequency="annual")
    changed["resources"][0]["checksum"]["value"] = "f" * 40
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[changed]], 50)

    run = harvest(src)

    assert run.statuses() == ["updated"]
    ours = shown(remote)
    assert ours["title"] == "Menus de la cantine"
    assert ours["frequency"] == "annual"
    assert ours["resources"][0]["hash"] == "f" * 40
    assert len(ours["resources"]) == 1
    assert ours["theme"] == ["EDUC"]
    assert ours["producer_service"] == "Service scolaire"


def test_missing_fields_give_a_dataset_with_what_there_is(datagouv, territory):
    remote = udata_dataset(1)
    for key in (
        "description",
        "frequency",
        "license",
        "temporal_coverage",
        "spatial",
        "tags",
        "last_update",
        "last_modified",
    ):
        del remote[key]
    remote["resources"][0] = {
        "id": "r1",
        "title": "Fichier",
        "url": "https://a.fr/f.csv",
    }
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)

    run = harvest(source(org_url(datagouv)))

    assert run.statuses() == ["added"]
    ours = shown(remote)
    assert ours["title"] == "Jeu de données 1"
    assert ours["license_id"] == "notspecified"
    assert ours["licence_status"] == "harvested"
    assert "frequency" not in ours or not ours["frequency"]
    assert [r["url"] for r in ours["resources"]] == ["https://a.fr/f.csv"]


def test_an_unknown_licence_is_kept_as_the_producers_choice(datagouv, territory):
    remote = udata_dataset(1, license="cc-by-4.0-fr")
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)

    run = harvest(source(org_url(datagouv)))

    assert run.statuses() == ["added"]
    ours = shown(remote)
    assert ours["license_id"] == "cc-by-4.0-fr"
    assert ours["licence_status"] == "harvested"


@pytest.mark.ckan_config("ckanext.territoire.licence_exceptions", "third_party_rights")
def test_without_the_harvested_exception_an_unknown_licence_is_refused(
    datagouv, territory
):
    remote = udata_dataset(1)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)
    src = source(org_url(datagouv))
    harvest(src)
    organization(
        datagouv,
        VILLARD_ORG,
        VILLARD_SIREN,
        [[udata_dataset(1, license="cc-by-4.0-fr", title="Nouveau titre")]],
        50,
    )

    run = harvest(src)

    assert run.statuses() == ["errored"]
    (error,) = run.errors()
    assert error.startswith(f"« Nouveau titre » ({remote['id']}) : non publié")
    assert "license_id" in error
    assert "cc-by-4.0-fr" in error
    ours = shown(remote)
    assert ours["title"] == "Jeu de données 1"
    assert ours["license_id"] == "lov2"


def test_an_invalid_dataset_is_reported_and_the_others_published(datagouv, territory):
    broken = udata_dataset(2)
    broken["resources"][0]["checksum"]["value"] = "pas-une-empreinte"
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[udata_dataset(1), broken]], 50)

    run = harvest(source(org_url(datagouv)))

    assert sorted(datasets_of("villard-de-lans")) == ["Jeu de données 1"]
    (error,) = run.errors(broken["id"])
    assert "« Jeu de données 2 »" in error
    assert "pas-une-empreinte" in error
    assert run.objects[broken["id"]].report_status == "errored"


def test_a_dataset_deleted_at_the_source_is_withdrawn_and_reported(datagouv, territory):
    first, second, third = three_datasets()
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second, third]], 50)
    src = source(org_url(datagouv))
    harvest(src)
    second_marked = udata_dataset(2, deleted="2024-06-01T00:00:00")
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second_marked]], 50)

    run = harvest(src)

    assert run.statuses() == ["deleted", "deleted"]
    assert sorted(datasets_of("villard-de-lans")) == ["Jeu de données 1"]
    withdrawn = helpers.call_action("package_show", id=third["slug"])
    assert withdrawn["state"] == "deleted"  # in the trash, not purged
    assert (
        "« Jeu de données 3 » : n'est plus sur la source ; retiré (supprimé, il peut "
        "être restauré depuis la corbeille)." in run.notes()
    )
    assert run.errors() == []
    # The next harvest has nothing more to say.
    assert harvest(src).objects == {}


def test_a_withdrawn_dataset_that_comes_back_is_published_again(datagouv, territory):
    first, second = udata_dataset(1), udata_dataset(2)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second]], 50)
    src = source(org_url(datagouv))
    harvest(src)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first]], 50)
    harvest(src)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second]], 50)

    run = harvest(src)

    assert run.statuses() == ["updated"]
    ours = shown(second)
    assert ours["state"] == "active"
    assert ours["name"] == second["slug"]


def test_with_the_keep_policy_a_deleted_dataset_stays_and_is_reported_once(
    datagouv, territory
):
    first, second = udata_dataset(1), udata_dataset(2)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second]], 50)
    src = source(org_url(datagouv), {"deleted": "keep"})
    harvest(src)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first]], 50)

    run = harvest(src)

    assert run.statuses() == ["not modified"]
    assert run.notes() == [
        "« Jeu de données 2 » : n'est plus sur la source ; conservé ici, comme le dit "
        'la configuration de la source ("deleted": "keep").'
    ]
    assert run.errors() == []
    assert sorted(datasets_of("villard-de-lans")) == [
        "Jeu de données 1",
        "Jeu de données 2",
    ]
    assert harvest(src).objects == {}


def test_a_page_that_fails_changes_nothing_and_withdraws_nothing(datagouv, territory):
    first, second, third = three_datasets()
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second], [third]], 2)
    src = source(org_url(datagouv), {"page_size": 2})
    harvest(src)
    organization(
        datagouv,
        VILLARD_ORG,
        VILLARD_SIREN,
        [[udata_dataset(1, title="Changé"), second], [third]],
        2,
    )
    page_2 = f"/api/1/organizations/{VILLARD_ORG['slug']}/datasets/?page=2&page_size=2"
    datagouv.routes[page_2] = Route(b"erreur", status=502)

    run = harvest(src)

    assert run.objects == {}
    (error,) = run.gather_errors
    assert error.startswith("La source ne peut être listée")
    assert "HTTP 502" in error
    assert sorted(datasets_of("villard-de-lans")) == [
        "Jeu de données 1",
        "Jeu de données 2",
        "Jeu de données 3",
    ]


def test_a_source_that_suddenly_lists_nothing_withdraws_nothing(datagouv, territory):
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 50)
    src = source(org_url(datagouv))
    harvest(src)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[]], 50)

    run = harvest(src)

    assert run.objects == {}
    (error,) = run.gather_errors
    assert "3" in error and "rien n'est retiré" in error
    assert len(datasets_of("villard-de-lans")) == 3


def test_a_slow_source_is_a_clear_error(datagouv, territory):
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 50)
    page = f"/api/1/organizations/{VILLARD_ORG['slug']}/datasets/?page=1&page_size=50"
    datagouv.routes[page].delay = 4

    run = harvest(source(org_url(datagouv)))

    (error,) = run.gather_errors
    assert "pas de réponse en 2 s" in error
    assert datasets_of("villard-de-lans") == {}


def test_a_dataset_of_an_unknown_organization_is_reported_and_the_others_published(
    datagouv, territory
):
    stranger = {
        "id": "5e0000000000000000000001",
        "name": "Grenoble",
        "slug": "grenoble",
    }
    theirs = udata_dataset(2, org=stranger)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[udata_dataset(1), theirs]], 50)
    datagouv.json(
        f"/api/1/organizations/{stranger['id']}/",
        {**stranger, "business_number_id": "21380185500010"},
    )

    run = harvest(source(org_url(datagouv)))

    assert sorted(datasets_of("villard-de-lans")) == ["Jeu de données 1"]
    assert run.errors(theirs["id"]) == [
        f"« Jeu de données 2 » ({theirs['id']}) : aucune organisation du "
        "catalogue ne correspond à l'organisation data.gouv.fr « Grenoble » (SIREN "
        "213801855) : faites-la correspondre dans la configuration de la source "
        "(« organizations »)."
    ]


def test_the_configuration_maps_organizations_without_siren(datagouv, territory):
    remote = udata_dataset(1, org=ENGINS_ORG)
    organization(datagouv, ENGINS_ORG, None, [[remote]], 50)

    harvest(
        source(
            org_url(datagouv, ENGINS_ORG),
            {"organizations": {ENGINS_ORG["slug"]: "engins"}},
        )
    )

    assert sorted(datasets_of("engins")) == ["Jeu de données 1"]


def test_a_source_cannot_publish_outside_its_territory(datagouv, territory):
    from ckan.tests import factories

    factories.Organization(name="grenoble", title="Grenoble", siren="213801855")
    remote = udata_dataset(1)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)

    run = harvest(
        source(org_url(datagouv), {"organizations": {VILLARD_ORG["slug"]: "grenoble"}})
    )

    assert datasets_of("grenoble") == {}
    (error,) = run.errors()
    assert "Grenoble n'est pas membre de l'organisation à qui appartient" in error


def test_datasets_named_in_the_configuration(datagouv, territory):
    first, second = udata_dataset(1), udata_dataset(2)
    describe(datagouv, VILLARD_ORG, VILLARD_SIREN)
    dataset(datagouv, first)
    dataset(datagouv, second, second["slug"])
    src = source(
        datagouv.url, {"datasets": [first["id"], second["slug"], "n-existe-pas"]}
    )

    run = harvest(src)

    assert run.gather_errors == []
    assert run.statuses() == ["added", "added"]
    # A dataset of the list that data.gouv.fr no longer has is withdrawn.
    datagouv.routes.pop(f"/api/1/datasets/{first['id']}/")

    run = harvest(src)

    assert run.statuses() == ["deleted"]
    assert sorted(datasets_of("villard-de-lans")) == ["Jeu de données 2"]


def test_a_named_dataset_that_fails_is_kept_and_blocks_withdrawals(datagouv, territory):
    first, second = udata_dataset(1), udata_dataset(2)
    describe(datagouv, VILLARD_ORG, VILLARD_SIREN)
    dataset(datagouv, first)
    dataset(datagouv, second)
    src = source(datagouv.url, {"datasets": [first["id"], second["id"]]})
    harvest(src)
    datagouv.routes[f"/api/1/datasets/{first['id']}/"] = Route(b"", status=500)
    datagouv.routes.pop(f"/api/1/datasets/{second['id']}/")

    run = harvest(src)

    assert run.objects == {}
    (error,) = run.gather_errors
    assert error.startswith(f"Jeu de données {first['id']} non lu")
    assert len(datasets_of("villard-de-lans")) == 2


def test_datasets_harvested_from_this_catalogue_are_not_taken_back(
    datagouv, territory, ckan_config
):
    ours = udata_dataset(
        2,
        harvest={
            "backend": "CKAN",
            "domain": "test.ckan.net",
            "remote_url": f"{ckan_config['ckan.site_url']}/dataset/menus",
        },
    )
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[udata_dataset(1), ours]], 50)

    run = harvest(source(org_url(datagouv)))

    assert run.statuses() == ["added"]
    assert sorted(datasets_of("villard-de-lans")) == ["Jeu de données 1"]


def test_a_source_url_that_names_nothing_is_a_clear_error(datagouv, territory):
    run = harvest(source(f"{datagouv.url}/fr/pages/accueil/"))

    (error,) = run.gather_errors
    assert "ni une organisation data.gouv.fr ni un jeu de données" in error


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[]", "La configuration doit être un objet JSON."),
        ('{"datasets": "x"}', "« datasets » doit être une liste d'identifiants"),
        ('{"deleted": "purge"}', "« deleted » : « purge » n'est pas l'une des valeurs"),
        (
            '{"personal_data": "contains"}',
            "« personal_data » : « contains » n'est pas l'une des valeurs none, "
            "anonymised, aggregated.",
        ),
        ('{"page_size": 1000}', "« page_size » : « 1000 » n'est pas un nombre entier"),
        ('{"organizations": {"x": 3}}', "« organizations » doit faire correspondre"),
        ('{"depth": 3}', "Clés de configuration inconnues : depth."),
    ],
)
def test_a_bad_configuration_names_the_key_and_the_rule(territory, config, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_config(config)
    # The harvest source form refuses it with the same message.
    with pytest.raises(tk.ValidationError) as error:
        source("https://www.data.gouv.fr/fr/organizations/x/", json.loads(config))
    assert message in json.dumps(error.value.error_dict, ensure_ascii=False)


def test_a_dataset_of_a_person_goes_where_the_configuration_says(datagouv, territory):
    personal = udata_dataset(1, organization=None, owner={"id": "u1", "slug": "jean"})
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[personal]], 50)
    src = source(org_url(datagouv))

    run = harvest(src)

    assert run.errors() == [
        f"« Jeu de données 1 » ({personal['id']}) : le jeu de données appartient à "
        "une personne, pas à une organisation data.gouv.fr : indiquez ici son "
        "organisation avec « * » dans la configuration de la source "
        "(« organizations »)."
    ]
    assert datasets_of("engins") == {}
    # Said once: the next run, with nothing changed, has nothing to say.
    assert harvest(src).objects == {}

    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[personal]], 50)
    harvest(source(org_url(datagouv), {"organizations": {"*": "engins"}}, name="s2"))

    assert sorted(datasets_of("engins")) == ["Jeu de données 1"]


def test_a_busy_server_is_asked_again(datagouv, territory):
    first, second, third = three_datasets()
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second], [third]], 2)
    page_2 = f"/api/1/organizations/{VILLARD_ORG['slug']}/datasets/?page=2&page_size=2"
    datagouv.routes[page_2].busy = 2  # ckanext.territoire.http_retries = 2

    run = harvest(source(org_url(datagouv), {"page_size": 2}))

    assert run.gather_errors == []
    assert datagouv.requests.count(page_2) == 3
    assert len(datasets_of("villard-de-lans")) == 3


@pytest.mark.ckan_config("ckanext.territoire.http_retries", "0")
def test_without_retries_a_busy_server_is_an_error(datagouv, territory):
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 50)
    page = f"/api/1/organizations/{VILLARD_ORG['slug']}/datasets/?page=1&page_size=50"
    datagouv.routes[page].busy = 1

    run = harvest(source(org_url(datagouv)))

    (error,) = run.gather_errors
    assert "HTTP 503" in error
    assert datasets_of("villard-de-lans") == {}


def test_clearing_the_source_removes_its_datasets_from_search_too(datagouv, territory):
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 50)
    src = source(org_url(datagouv))
    harvest(src)
    ids = [d["id"] for d in datasets_of("villard-de-lans").values()]
    assert len(ids) == 3

    helpers.call_action(
        "harvest_source_clear",
        {"user": territory["people"]["epci_admin"]["name"]},
        id=src["id"],
    )

    # No search result left pointing at a dataset that no longer exists.
    assert datasets_of("villard-de-lans") == {}
    # Nothing left that only those datasets owned: their activities, the
    # tags no dataset uses any more.
    assert (
        model.Session.execute(
            sa.text("SELECT count(*) FROM activity WHERE object_id = ANY(:ids)"),
            {"ids": ids},
        ).scalar()
        == 0
    )
    assert model.Tag.by_name("cantine") is None
    assert model.Tag.by_name("menus") is None


def test_a_nightly_link_check_or_new_metrics_reimport_nothing(datagouv, territory):
    """data.gouv.fr's link checker writes check:* extras on every resource
    each night; metrics, quality scores and badges change too: the
    publisher changed nothing."""
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 50)
    src = source(org_url(datagouv))
    harvest(src)
    checked = three_datasets()
    for item in checked:
        item["metrics"] = {"views": 12345, "followers": 3}
        item["quality"] = {"score": 0.9, "update_fulfilled_in_time": True}
        item["badges"] = [{"kind": "certified"}]
        for resource in item["resources"]:
            resource["extras"] = {
                "check:available": True,
                "check:date": "2025-01-10T03:00:00",
                "check:status": 200,
            }
            resource["metrics"] = {"views": 77}
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [checked], 50)

    assert harvest(src).objects == {}


def test_a_configuration_change_that_maps_the_same_reimports_nothing(
    datagouv, territory
):
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 50)
    src = source(org_url(datagouv))
    harvest(src)
    helpers.call_action(
        "harvest_source_patch",
        {"user": territory["people"]["sysadmin"]["name"]},
        id=src["id"],
        config=json.dumps(
            {"page_size": 20, "deleted": "keep", "organizations": {"autre": "engins"}}
        ),
    )
    src = helpers.call_action("harvest_source_show", id=src["id"])

    assert harvest(src).objects == {}

    # One that changes where the datasets go imports them again.
    helpers.call_action(
        "harvest_source_patch",
        {"user": territory["people"]["sysadmin"]["name"]},
        id=src["id"],
        config=json.dumps({"organizations": {VILLARD_ORG["slug"]: "villard-de-lans"}}),
    )
    src = helpers.call_action("harvest_source_show", id=src["id"])
    assert harvest(src).statuses() == ["updated"] * 3


def test_an_archived_dataset_is_withdrawn_and_noted(datagouv, territory):
    first, second, third = three_datasets()
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second, third]], 50)
    src = source(org_url(datagouv))
    harvest(src)
    second = udata_dataset(2, archived="2024-10-15T09:00:00+00:00")
    new = udata_dataset(4, archived="2023-02-01T00:00:00+00:00")
    organization(
        datagouv, VILLARD_ORG, VILLARD_SIREN, [[first, second, third, new]], 50
    )

    run = harvest(src)

    assert sorted(datasets_of("villard-de-lans")) == [
        "Jeu de données 1",
        "Jeu de données 3",
    ]
    assert helpers.call_action("package_show", id=second["slug"])["state"] == "deleted"
    assert run.errors() == []
    assert sorted(run.notes()) == [
        "« Jeu de données 2 » : archivé sur data.gouv.fr (2024-10-15) ; retiré "
        "(supprimé, il peut être restauré depuis la corbeille ; « archived » : "
        "« keep » dans la configuration de la source garde ces jeux de données).",
        f"« Jeu de données 4 » ({new['id']}) : archivé sur data.gouv.fr "
        "(2023-02-01) ; non publié ici (« archived » : « keep » dans la "
        "configuration de la source le publierait).",
    ]
    # Said once.
    assert harvest(src).objects == {}


def test_with_the_keep_policy_an_archived_dataset_is_kept_as_cold_data(
    datagouv, territory
):
    archived = udata_dataset(1, archived="2024-10-15T09:00:00+00:00")
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[archived]], 50)

    run = harvest(source(org_url(datagouv), {"archived": "keep"}))

    ours = shown(archived)
    assert ours["state"] == "active"
    assert ours["data_temperature"] == "cold"
    assert run.errors() == []
    (note,) = run.notes()
    assert "archivé sur data.gouv.fr (2024-10-15) ; conservé ici" in note


def test_a_coverage_given_only_as_a_geometry_is_noted(datagouv, territory):
    remote = udata_dataset(
        1,
        spatial={
            "geom": {
                "type": "MultiPolygon",
                "coordinates": [[[[5.5, 45.0], [5.6, 45.0], [5.6, 45.1], [5.5, 45.0]]]],
            },
            "granularity": "other",
            "zones": [],
        },
    )
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [[remote]], 50)

    run = harvest(source(org_url(datagouv)))

    assert "spatial_insee" not in shown(remote)
    (note,) = run.notes()
    assert "couverture spatiale donnée par une géométrie seulement (MultiPolygon)" in (
        note
    )
    assert run.statuses() == ["added"]


def refuse_the_index_during_imports(monkeypatch, comes_back: bool) -> list[float]:
    """CKAN's Solr connection points at a closed port while the harvester
    imports an object: a real refusal of CKAN's indexing (it indexes before
    it commits). When ``comes_back``, the index answers again once the
    harvester has waited. Gives the harvester's waits."""
    from ckan.lib.search.common import SolrSettings

    from ckanext.opendata_territoire import search_index
    from ckanext.opendata_territoire.datagouv import harvester as udata

    url = SolrSettings._url
    import_once = udata.UdataHarvester._import
    waits: list[float] = []

    def refused(self, harvest_object):
        if not waits:
            monkeypatch.setattr(SolrSettings, "_url", "http://127.0.0.1:9/solr/ckan")
        try:
            return import_once(self, harvest_object)
        finally:
            if not comes_back:
                monkeypatch.setattr(SolrSettings, "_url", url)

    def wait(seconds):
        waits.append(seconds)
        monkeypatch.setattr(SolrSettings, "_url", url)

    monkeypatch.setattr(udata.UdataHarvester, "_import", refused)
    monkeypatch.setattr(search_index.time, "sleep", wait)
    return waits


def test_an_index_refusing_for_a_while_delays_the_import_only(
    datagouv, territory, monkeypatch
):
    """A SolrCloud shard electing a new leader refuses the first dataset for
    a few seconds: the harvester waits, tries again, and every dataset is
    published once (the refusal used to end the fetch consumer)."""
    waits = refuse_the_index_during_imports(monkeypatch, comes_back=True)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 3)

    run = harvest(source(org_url(datagouv), {"page_size": 3}))

    assert waits
    assert run.statuses() == ["added", "added", "added"]
    assert sorted(datasets_of("villard-de-lans")) == [
        "Jeu de données 1",
        "Jeu de données 2",
        "Jeu de données 3",
    ]


@pytest.mark.ckan_config("ckanext.territoire.index_retry_seconds", "0")
def test_an_index_that_keeps_refusing_is_reported_and_writes_nothing(
    datagouv, territory, monkeypatch
):
    refuse_the_index_during_imports(monkeypatch, comes_back=False)
    organization(datagouv, VILLARD_ORG, VILLARD_SIREN, [three_datasets()], 3)

    run = harvest(source(org_url(datagouv), {"page_size": 3}))

    assert run.statuses() == ["errored", "errored", "errored"]
    assert all(
        "Non publié : l'index de recherche l'a refusé" in message
        for message in run.errors()
    )
    assert datasets_of("villard-de-lans") == {}
    assert model.Session.query(model.Package).filter_by(type="dataset").count() == 0
