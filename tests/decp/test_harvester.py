"""The DECP harvester (plugin decp_harvester) against a local server that
answers like data.gouv.fr: the dataset's resources listed page by page, the
files downloaded whole or not at all, unchanged files skipped, one harvest
object per buyer, per-contract problems as object errors; HTTP errors,
timeouts and truncated bodies reported, and nothing published lost."""

from __future__ import annotations

import datetime as dt
import json
import re

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories, helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.opendata_territoire.decp.harvester import DecpHarvester, parse_config
from tests.decp.fake_datagouv import Server
from tests.decp.test_import import (
    ENGINS,
    PARIS,
    VILLARD,
    dataset_of,
    marche_2022,
    table_rows,
)
from tests.harvesting import run_job

pytestmark = pytest.mark.usefixtures("clean_datastore", "with_request_context")

SLUG = "decp-ccmv"


def json_file(*marches) -> bytes:
    return json.dumps({"marches": {"marche": list(marches)}}).encode()


def xml_file(*ids_and_buyers) -> bytes:
    items = "".join(
        f"<marche><id>{i}</id><acheteur><id>{b}</id></acheteur><nature>Marché</nature>"
        "<objet>Éclairage public</objet><codeCPV>45310000</codeCPV>"
        "<techniques><technique>Sans objet</technique></techniques>"
        "<ccag>Travaux</ccag><offresRecues>2</offresRecues>"
        "<procedure>Procédure adaptée</procedure>"
        "<dureeMois>6</dureeMois><dateNotification>2024-06-03</dateNotification>"
        "<datePublicationDonnees>2024-06-10</datePublicationDonnees>"
        "<montant>48000</montant><marcheInnovant>non</marcheInnovant>"
        "<titulaires><titulaire><typeIdentifiant>SIRET</typeIdentifiant>"
        "<id>55204599900869</id></titulaire></titulaires></marche>"
        for i, b in ids_and_buyers
    )
    return f"<?xml version='1.0' encoding='UTF-8'?><marches>{items}</marches>".encode()


MAY = json_file(
    marche_2022(1, ENGINS),
    marche_2022(2, ENGINS, procedure="procédure adaptée"),  # mended: an object error
    marche_2022(3, VILLARD),
    marche_2022(9, PARIS),
    {"acheteur": {"id": ENGINS}, "objet": "sans identifiant"},  # rejected
)
JUNE = xml_file(("2024-0101", VILLARD), ("2024-0102", ENGINS))


@pytest.fixture
def datagouv(ckan_config, monkeypatch):
    with Server() as fake:
        monkeypatch.setitem(ckan_config, "ckanext.territoire.datagouv_url", fake.url)
        monkeypatch.setitem(ckan_config, "ckanext.territoire.decp.timeout", "2")
        yield fake


def publish_dataset(fake, may=MAY, june=JUNE):
    """Two pages of resources: the May JSON file, an OCDS file and a PDF on
    the first, the June XML file on the second."""
    may_resource = fake.resource("r-may", "decp-2024-05.json", may)
    ocds = fake.resource("r-ocds", "decp.ocds.json", b"{}")
    pdf = fake.resource("r-pdf", "notice.pdf", b"%PDF", fmt="pdf")
    june_resource = fake.resource("r-june", "decp-2024-06.xml", june, fmt="xml")
    fake.dataset(SLUG, [[may_resource, ocds, pdf], [june_resource]])
    return may_resource, june_resource


def source(url, config=None):
    sysadmin = factories.Sysadmin()
    data = {
        "name": "decp-datagouv",
        "title": "DECP data.gouv.fr",
        "url": url,
        "source_type": "decp",
        "config": json.dumps(config) if config is not None else "",
        "owner_org": "ccmv",  # the EPCI of the territory fixture
    }
    return helpers.call_action(
        "harvest_source_create", {"user": sysadmin["name"]}, **data
    )


def harvest(source_dict):
    """One harvest job, run stage by stage as the queues would."""
    objects, gather_errors, _job_id = run_job(source_dict, DecpHarvester())
    return objects, gather_errors


def errors_of(obj):
    return [e.message for e in obj.errors]


def test_dataset_source_is_harvested_page_by_page(datagouv, territory):
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")

    objects, gather_errors = harvest(src)

    assert gather_errors == []
    # Both pages listed; the JSON and XML files downloaded, not the OCDS one
    # nor the PDF.
    assert f"/api/2/datasets/{SLUG}/resources/?page=2&page_size=50" in datagouv.requests
    assert sorted(datagouv.files_requested()) == [
        "/api/1/datasets/r/r-june",
        "/api/1/datasets/r/r-may",
    ]
    # One object per buyer of the catalogue.
    assert sorted(objects) == ["213801533", "213805484", "243801024"]
    assert objects["213801533"].state == "COMPLETE"
    assert objects["213801533"].report_status == "added"
    assert objects["243801024"].report_status == "not modified"  # no contract
    engins = dataset_of("engins")
    assert engins["title"] == "Marchés publics — Engins"
    assert [r["id"] for r in table_rows(engins)] == [
        "2024-0001",
        "2024-0002",
        "2024-0102",
    ]
    assert [r["id"] for r in table_rows(dataset_of("villard-de-lans"))] == [
        "2024-0003",
        "2024-0101",
    ]
    assert objects["213801533"].package_id == engins["id"]


def refuse_the_index_while_linking(monkeypatch, comes_back: bool) -> list[float]:
    """CKAN's Solr connection points at a closed port while the DECP
    harvester links a buyer's dataset to its object (the publication before
    found the index answering): a real refusal of CKAN's indexing. When
    ``comes_back``, the index answers again once the harvester has waited.
    Gives the harvester's waits."""
    from ckan.lib.search.common import SolrSettings

    from ckanext.opendata_territoire import search_index
    from ckanext.opendata_territoire.decp import harvester as decp

    url = SolrSettings._url
    link = decp.DecpHarvester._link
    waits: list[float] = []

    def refused(self, *args, **kwargs):
        monkeypatch.setattr(SolrSettings, "_url", "http://127.0.0.1:9/solr/ckan")
        try:
            return link(self, *args, **kwargs)
        finally:
            monkeypatch.setattr(SolrSettings, "_url", url)

    def wait(seconds):
        waits.append(seconds)
        if comes_back:
            monkeypatch.setattr(SolrSettings, "_url", url)

    monkeypatch.setattr(decp.DecpHarvester, "_link", refused)
    monkeypatch.setattr(search_index.time, "sleep", wait)
    return waits


def search_errors(obj):
    return [e for e in errors_of(obj) if "document de recherche" in e]


def test_an_index_refusing_for_a_while_delays_the_link_only(
    datagouv, territory, monkeypatch
):
    """A SolrCloud shard electing a new leader refuses the search document
    of a harvested buyer's dataset for a few seconds: the import waits and
    tries again, and the object completes without error (the refusal used
    to end the fetch consumer, the object unacknowledged)."""
    waits = refuse_the_index_while_linking(monkeypatch, comes_back=True)
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")

    objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert waits  # the index refused, the harvester waited
    engins = objects["213801533"]
    assert (engins.state, engins.report_status) == ("COMPLETE", "added")
    assert search_errors(engins) == []
    # Indexed again with its source, as the link does.
    found = helpers.call_action(
        "package_search",
        q="decp_buyer_siren:213801533",
        fq=f'harvest_source_id:"{src["id"]}"',
    )
    assert found["count"] == 1


@pytest.mark.ckan_config("ckanext.territoire.index_retry_seconds", "0")
def test_an_index_that_keeps_refusing_is_an_object_error_not_a_crash(
    datagouv, territory, monkeypatch
):
    refuse_the_index_while_linking(monkeypatch, comes_back=False)
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")

    objects, _ = harvest(src)

    engins = objects["213801533"]
    assert engins.state == "COMPLETE"
    (error,) = search_errors(engins)
    assert error.startswith(
        "Engins : publié, mais son document de recherche n'est pas mis à jour (Solr"
    )
    assert error.endswith("il le sera au prochain moissonnage.")
    assert len(table_rows(dataset_of("engins"))) == 3


def procurement_datasets(org_name):
    org = helpers.call_action("organization_show", id=org_name, include_datasets=True)
    return [d["name"] for d in org["packages"] if d.get("decp_buyer_siren")]


def paris():
    """An organization outside the territory (another EPCI's commune), made
    by a sysadmin: a source of the CCMV must never write into it."""
    return factories.Organization(
        name="paris",
        title="Ville de Paris",
        collectivite_type="commune",
        siren=PARIS[:9],
        insee_code="75056",
        epci_siren="200054781",
    )


def test_a_source_without_buyers_publishes_only_into_its_owners_territory(
    datagouv, territory
):
    paris()
    publish_dataset(datagouv)

    objects, gather_errors = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/"))

    assert gather_errors == []
    assert sorted(objects) == ["213801533", "213805484", "243801024"]
    assert procurement_datasets("paris") == []


def test_buyers_outside_the_owners_territory_are_reported_not_harvested(
    datagouv, territory
):
    paris()
    publish_dataset(datagouv)
    src = source(
        f"{datagouv.url}/fr/datasets/{SLUG}/", {"buyers": [PARIS[:9], ENGINS[:9]]}
    )

    objects, gather_errors = harvest(src)

    assert sorted(objects) == ["213801533"]
    assert gather_errors == [
        f"« buyers » : {PARIS[:9]} n'est pas une organisation du territoire du "
        "propriétaire de la source ; ses marchés ne sont pas moissonnés."
    ]
    assert procurement_datasets("paris") == []


def test_per_contract_problems_are_object_errors_naming_contract_and_rule(
    datagouv, territory
):
    publish_dataset(datagouv)

    objects, _ = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/"))

    errors = errors_of(objects["213801533"])
    assert (
        f"Contrat 2024-0002 ({ENGINS}2024-0002) : enumeration (procedure : "
        "« procédure adaptée » → « Procédure adaptée »)" in errors
    )
    assert (
        "Contrat ? rejeté (enregistrement 5) : missing_id, le contrat n'a pas "
        "d'identifiant (id)" in errors
    )
    # The job goes on: the object is complete, its contracts published.
    assert objects["213801533"].state == "COMPLETE"
    assert errors_of(objects["213805484"]) == []


def test_unchanged_source_downloads_nothing_and_changes_nothing(datagouv, territory):
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")
    harvest(src)
    before = dataset_of("engins")
    datagouv.requests.clear()

    objects, gather_errors = harvest(src)

    assert (objects, gather_errors) == ({}, [])
    assert datagouv.files_requested() == []
    assert dataset_of("engins")["metadata_modified"] == before["metadata_modified"]


def test_a_harvest_whose_import_died_is_taken_again_and_not_left_running(
    datagouv, territory, ckan_config, monkeypatch
):
    """The fetch worker killed after gather: its objects never imported. The
    job is closed by ckan.harvest.timeout instead of staying "Running", and
    the next harvest downloads the files again (they are not "unchanged":
    nothing of them was published)."""
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")
    job_dict = helpers.call_action(
        "harvest_job_create", {"ignore_auth": True}, source_id=src["id"], run=False
    )
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.save()
    ids = queue.gather_stage(DecpHarvester(), job)
    assert ids  # gathered, then the worker died: no fetch, no import
    stuck = HarvestObject.get(ids[0])
    stuck.state = "STARTED"
    stuck.fetch_started = stuck.gathered
    stuck.save()

    # Two hours later, `ckan harvester run` (every minute in the demo, every
    # five in docker/) closes the job after ckan.harvest.timeout minutes.
    monkeypatch.setitem(ckan_config, "ckan.harvest.timeout", "60")
    for obj in HarvestObject.filter(harvest_job_id=job.id).all():
        obj.gathered = obj.gathered - dt.timedelta(hours=2)
        if obj.fetch_started:
            obj.fetch_started = obj.fetch_started - dt.timedelta(hours=2)
        obj.save()
    job.gather_started = job.gather_started - dt.timedelta(hours=2)
    job.gather_finished = job.gather_finished - dt.timedelta(hours=2)
    job.created = job.created - dt.timedelta(hours=2)
    job.save()
    helpers.call_action("harvest_jobs_run", {"ignore_auth": True}, source_id=src["id"])
    assert HarvestJob.get(job.id).status == "Finished"
    datagouv.requests.clear()

    objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert sorted(datagouv.files_requested()) == [
        "/api/1/datasets/r/r-june",
        "/api/1/datasets/r/r-may",
    ]
    assert objects["213801533"].report_status == "added"
    assert objects["213805484"].report_status == "added"
    assert [r["id"] for r in table_rows(dataset_of("engins"))] == [
        "2024-0001",
        "2024-0002",
        "2024-0102",
    ]


def test_only_the_changed_file_is_downloaded_again(datagouv, territory):
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")
    harvest(src)
    datagouv.requests.clear()
    june = xml_file(("2024-0101", VILLARD), ("2024-0103", VILLARD))
    publish_dataset(datagouv, june=june)

    objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert datagouv.files_requested() == ["/api/1/datasets/r/r-june"]
    assert objects["213805484"].report_status == "updated"
    assert objects["213801533"].report_status == "not modified"
    # The May contracts, not read this time, are still there.
    assert [r["id"] for r in table_rows(dataset_of("villard-de-lans"))] == [
        "2024-0003",
        "2024-0101",
        "2024-0103",
    ]
    assert len(table_rows(dataset_of("engins"))) == 3


def test_listing_error_is_reported_and_nothing_is_lost(datagouv, territory):
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")
    harvest(src)
    datagouv.json(f"/api/2/datasets/{SLUG}/resources/?page=1&page_size=50", {}, 500)

    objects, gather_errors = harvest(src)

    assert objects == {}
    assert gather_errors == [
        f"La source ne peut être listée : {datagouv.url}/api/2/datasets/{SLUG}/"
        "resources/?page=1&page_size=50 : HTTP 500"
    ]
    assert len(table_rows(dataset_of("engins"))) == 3


def test_a_busy_file_server_is_asked_again(datagouv, territory):
    publish_dataset(datagouv)
    datagouv.routes["/api/1/datasets/r/r-may"].busy = 1
    datagouv.routes[f"/api/2/datasets/{SLUG}/resources/?page=1&page_size=50"].busy = 2

    _objects, gather_errors = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/"))

    assert gather_errors == []
    assert datagouv.requests.count("/api/1/datasets/r/r-may") == 2
    assert [r["id"] for r in table_rows(dataset_of("engins"))] == [
        "2024-0001",
        "2024-0002",
        "2024-0102",
    ]


def test_a_file_in_error_gives_nothing_and_is_tried_again(datagouv, territory):
    may, _june = publish_dataset(datagouv)
    datagouv.routes["/api/1/datasets/r/r-may"].status = 500
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")

    objects, gather_errors = harvest(src)

    assert gather_errors == [
        f"decp-2024-05.json : pas téléchargé, {may['latest']} : HTTP 500"
    ]
    # The June file went through.
    assert [r["id"] for r in table_rows(dataset_of("engins"))] == ["2024-0102"]
    assert objects["213801533"].state == "COMPLETE"

    datagouv.routes["/api/1/datasets/r/r-may"].status = 200
    datagouv.requests.clear()
    _objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert datagouv.files_requested() == ["/api/1/datasets/r/r-may"]
    assert [r["id"] for r in table_rows(dataset_of("engins"))] == [
        "2024-0001",
        "2024-0002",
        "2024-0102",
    ]


def test_a_file_that_does_not_answer_in_time(datagouv, territory):
    may, _june = publish_dataset(datagouv)
    datagouv.routes["/api/1/datasets/r/r-may"].delay = 4

    _objects, gather_errors = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/"))

    assert gather_errors == [
        f"decp-2024-05.json : pas téléchargé, {may['latest']} : pas de réponse en 2 s"
    ]
    assert [r["id"] for r in table_rows(dataset_of("engins"))] == ["2024-0102"]


def test_a_truncated_body_gives_nothing_and_removes_nothing(datagouv, territory):
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")
    harvest(src)
    bigger = json_file(
        marche_2022(1, ENGINS, objet="Objet changé"), marche_2022(4, ENGINS)
    )
    may, _ = publish_dataset(datagouv, may=bigger)
    datagouv.routes["/api/1/datasets/r/r-may"].cut_at = len(bigger) // 2

    objects, gather_errors = harvest(src)

    assert len(gather_errors) == 1
    assert gather_errors[0].startswith(
        f"decp-2024-05.json : pas téléchargé, {may['latest']} :"
    )
    assert "octets" in gather_errors[0]
    rows = table_rows(dataset_of("engins"))
    assert [r["objet"] for r in rows][:1] == ["Travaux de voirie"]
    assert len(rows) == 3
    assert objects == {}  # nothing read: no object


def test_a_checksum_that_differs_is_a_truncated_file(datagouv, territory):
    may, _ = publish_dataset(datagouv)
    datagouv.dataset(SLUG, [[dict(may, checksum={"type": "sha1", "value": "0" * 40})]])

    objects, gather_errors = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/"))

    assert gather_errors == [
        f"decp-2024-05.json : pas téléchargé, {may['latest']} : son sha1 n'est pas "
        "celui que donne data.gouv.fr (tronqué ou modifié pendant le téléchargement)"
    ]
    assert objects == {}


def test_a_json_cut_without_announced_length_is_not_read(datagouv, territory):
    may, _ = publish_dataset(datagouv)
    datagouv.dataset(SLUG, [[dict(may, checksum=None, filesize=None)]])
    route = datagouv.routes["/api/1/datasets/r/r-may"]
    route.body = MAY[: len(MAY) - 50]
    route.announce_length = False

    objects, gather_errors = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/"))

    assert gather_errors == [
        "decp-2024-05.json : ne peut être lu jusqu'au bout, rien n'en est pris : "
        "le fichier s'arrête avant sa fin (tronqué ?) après 4 enregistrements"
    ]
    assert objects == {}


def test_a_direct_file_url(datagouv, territory):
    datagouv.file("/exports/decp.json", MAY)

    objects, gather_errors = harvest(source(f"{datagouv.url}/exports/decp.json"))

    assert gather_errors == []
    assert len(table_rows(dataset_of("engins"))) == 2
    assert objects["213801533"].report_status == "added"


def test_api_v1_when_v2_does_not_know_the_dataset(datagouv, territory):
    may = datagouv.resource("r-may", "decp-2024-05.json", MAY)
    datagouv.serve_latest(may)
    datagouv.json(f"/api/1/datasets/{SLUG}/", {"id": SLUG, "resources": [may]})

    _objects, gather_errors = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/"))

    assert gather_errors == []
    assert len(table_rows(dataset_of("engins"))) == 2


def test_configuration_chooses_buyers_date_and_files(datagouv, territory):
    publish_dataset(datagouv)
    config = {
        "buyers": ["213805484"],
        "since": "2024-06-01",
        "formats": ["xml", "json"],
        "files": ["decp-2024-0*"],
    }

    objects, _ = harvest(source(f"{datagouv.url}/fr/datasets/{SLUG}/", config))

    assert sorted(objects) == ["213805484"]
    assert [r["id"] for r in table_rows(dataset_of("villard-de-lans"))] == ["2024-0101"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[1]", "La configuration doit être un objet JSON."),
        ('{"buyers": ["2138"]}', "n'est ni un SIREN (9 chiffres) ni un SIRET"),
        ('{"since": "01/06/2024"}', "« since » : « 01/06/2024 » n'est pas une date"),
        (
            '{"formats": ["pdf"]}',
            "« formats » doit être une liste de « json », « xml », « parquet » ou "
            "« csv »",
        ),
        ('{"buyer": []}', "Clés de configuration inconnues : buyer."),
    ],
)
def test_a_bad_configuration_is_refused_with_a_clear_message(
    territory, config, message
):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_config(config)
    with pytest.raises(tk.ValidationError) as error:
        source("https://datagouv.example/fr/datasets/decp/", json.loads(config))
    assert message in json.dumps(error.value.error_dict, ensure_ascii=False)


def test_clearing_the_source_removes_its_datasets_from_search_too(datagouv, territory):
    publish_dataset(datagouv)
    src = source(f"{datagouv.url}/fr/datasets/{SLUG}/")
    harvest(src)
    published = helpers.call_action("package_search", fq="decp_buyer_siren:*", rows=10)
    tables = [
        r["id"]
        for d in published["results"]
        for r in d["resources"]
        if r.get("datastore_active")
    ]
    assert tables
    from ckanext.opendata_territoire.observatory.model import Award

    assert model.Session.query(Award).count() > 0

    helpers.call_action(
        "harvest_source_clear",
        {"user": territory["people"]["epci_admin"]["name"]},
        id=src["id"],
    )

    found = helpers.call_action("package_search", fq="decp_buyer_siren:*", rows=10)
    assert found["count"] == 0
    # The contracts tables of the DataStore went with their datasets.
    from ckanext.datastore.backend import DatastoreBackend

    backend = DatastoreBackend.get_active_backend()
    assert [t for t in tables if backend.resource_exists(t)] == []
    # And the observatory's copy of their contracts.
    assert model.Session.query(Award).count() == 0
