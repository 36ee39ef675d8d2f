"""`ckan territoire decp import FILE`, end to end against the real database,
DataStore and Solr: per buyer, the dataset "Marchés publics — <buyer>" owned
by its organization, a DataStore table upserted by contract uid, the DECP
JSON and CSV files; unchanged contracts skipped; nothing published is ever
removed or blanked. The command speaks French, the portal's language."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from tests.decp.conftest import ccmv_sirens, generate
from tests.decp.test_cleaning import MARCHE_2019, MARCHE_2022
from tests.decp.test_examples import validator

pytestmark = pytest.mark.usefixtures("clean_datastore", "with_request_context")

ENGINS = "21380153300017"  # commune A of the territory fixture
VILLARD = "21380548400011"  # commune B
CCMV = "24380102400016"  # the EPCI
PARIS = "21750001600019"  # not in the catalogue


def marche_2022(number: int, buyer: str, **changes):
    record = copy.deepcopy(MARCHE_2022)
    record.update(id=f"2024-{number:04d}", acheteur={"id": buyer}, **changes)
    return record


def marche_2019(number: int, buyer: str, **changes):
    record = copy.deepcopy(MARCHE_2019)
    record.update(id=f"2021{number:06d}", acheteur={"id": buyer, "nom": "x"}, **changes)
    return record


def write(path, marches, version="2022"):
    layout = (
        {"marches": {"marche": marches}} if version == "2022" else {"marches": marches}
    )
    path.write_text(json.dumps(layout, ensure_ascii=False), encoding="utf-8")
    return path


def run(cli, path, *args):
    return cli.invoke(ckan_command, ["territoire", "decp", "import", str(path), *args])


@pytest.fixture
def national(tmp_path):
    """A small national file: 3 contracts of Engins (one of them twice, one
    dirty), 2 of Villard, 1 of the EPCI, 2 of Paris."""
    marches = [
        marche_2022(1, ENGINS),
        marche_2022(2, ENGINS, procedure="procédure adaptée", dureeMois="NC"),
        marche_2022(3, ENGINS, montant=1.0e17),
        marche_2022(1, ENGINS),  # published twice
        marche_2022(4, VILLARD),
        marche_2022(5, "213 805 484 00011"),  # Villard, SIRET with spaces
        marche_2022(6, CCMV),
        marche_2022(7, PARIS),
        marche_2022(8, PARIS),
    ]
    return write(tmp_path / "decp-national.json", marches)


def dataset_of(org_name):
    org = helpers.call_action("organization_show", id=org_name, include_datasets=True)
    found = [
        helpers.call_action("package_show", id=d["name"])
        for d in org["packages"]
        if d.get("decp_buyer_siren")
    ]
    assert len(found) == 1, found
    return found[0]


def table_rows(dataset):
    (table,) = [r for r in dataset["resources"] if r.get("url_type") == "datastore"]
    result = helpers.call_action(
        "datastore_search", resource_id=table["id"], limit=1000, sort="uid"
    )
    return result["records"]


def file_of(app, dataset, name):
    (resource,) = [r for r in dataset["resources"] if r["url"].endswith("/" + name)]
    response = app.get(resource["url"].replace("http://test.ckan.net", ""))
    assert response.status_code == 200
    return resource, response.get_data(as_text=True)


def test_import_publishes_each_buyers_contracts_in_its_dataset(
    cli, app, national, territory
):
    result = run(cli, national)

    assert result.exit_code == 0, result.output
    engins = dataset_of("engins")
    assert engins["title"] == "Marchés publics — Engins"
    assert engins["owner_org"] == territory["a"]["id"]
    assert engins["type"] == "dataset"
    assert engins["decp_buyer_siren"] == "213801533"
    assert engins["license_id"] == "lov2"
    assert engins["legal_basis"] == "decp"
    assert engins["schema_name"] == "139bercy/format-commande-publique"
    assert engins["personal_data"] == "none"
    assert engins["spatial_insee"] == ["38153"]
    assert (engins["temporal_start"], engins["temporal_end"]) == ("2024-05-15",) * 2
    assert engins["data_updated"] == "2024-05-20"
    assert not engins["private"]
    assert "commande-publique" in {t["name"] for t in engins["tags"]}

    rows = table_rows(engins)
    assert [r["uid"] for r in rows] == [ENGINS + f"2024-000{n}" for n in (1, 2, 3)]
    by_id = {r["id"]: r for r in rows}
    assert by_id["2024-0002"]["procedure"] == "Procédure adaptée"
    assert by_id["2024-0002"]["dureeMois"] is None
    assert by_id["2024-0002"]["anomalies"] == "enumeration; not_communicated"
    assert by_id["2024-0003"]["montant"] is None
    assert by_id["2024-0001"]["decp"]["ccag"] == "Travaux"

    villard = dataset_of("villard-de-lans")
    assert len(table_rows(villard)) == 2
    epci = dataset_of("ccmv")
    assert epci["spatial_insee"] == ["243801024"]
    assert len(table_rows(epci)) == 1
    # Nothing for buyers outside the catalogue.
    assert "Paris" not in result.output


def test_the_files_are_downloadable_and_conformant(cli, app, national, territory):
    run(cli, national)
    engins = dataset_of("engins")

    resource, text = file_of(app, engins, "decp-213801533-2022.json")
    document = json.loads(text)
    assert [m["id"] for m in document["marches"]["marche"]] == [
        "2024-0001",
        "2024-0002",
        "2024-0003",
    ]
    # The contracts with a removed required value are not conformant; the
    # complete one is.
    complete = {"marches": {"marche": document["marches"]["marche"][:1]}}
    assert list(validator("2022").iter_errors(complete)) == []
    assert resource["format"] == "JSON"
    assert resource["schema_version"] == "2.0.3"
    assert len(resource["hash"]) == 64 and resource["size"] == len(text.encode())

    resource, text = file_of(app, engins, "decp-213801533.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["2024-0001", "2024-0002", "2024-0003"]
    assert rows[0]["montant"] == "120000"
    assert resource["format"] == "CSV"
    # No 2019 contract, no 2019 file.
    assert not [r for r in engins["resources"] if r["url"].endswith("-2019.json")]


def test_summary_says_what_was_read_cleaned_and_published(cli, national, territory):
    result = run(cli, national)

    output = result.output
    assert "Lus : 9 contrats (format json-2022)" in output
    assert "gardés : 6" in output
    assert "autres acheteurs : 2" in output
    assert "doublons supprimés : 1" in output
    assert "absurd_amount: 1" in output
    assert "enumeration: 1" in output
    assert "siret_spaces: 1" in output
    assert (
        "Engins (213801533) — marches-publics-engins (nouveau jeu de données) : "
        "3 contrats ; insérés : 3, modifiés : 0, inchangés : 0" in output
    )


def test_a_second_run_with_the_same_file_changes_nothing(cli, national, territory):
    run(cli, national)
    before = dataset_of("engins")

    result = run(cli, national, "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    engins = next(b for b in summary["buyers"] if b["siren"] == "213801533")
    assert (engins["inserted"], engins["updated"], engins["unchanged"]) == (0, 0, 3)
    assert engins["files"] == []
    after = dataset_of("engins")
    assert after["metadata_modified"] == before["metadata_modified"]
    assert [r["hash"] for r in after["resources"]] == [
        r["hash"] for r in before["resources"]
    ]


def test_a_changed_contract_is_updated_and_the_files_rewritten(
    cli, app, tmp_path, territory
):
    first = write(tmp_path / "a.json", [marche_2022(1, ENGINS), marche_2022(2, ENGINS)])
    run(cli, first)
    before = dataset_of("engins")
    changed = write(
        tmp_path / "b.json",
        [
            marche_2022(1, ENGINS),
            marche_2022(2, ENGINS, objet="Travaux de voirie, lot 2"),
        ],
    )

    summary = json.loads(run(cli, changed, "--json").output)

    engins = next(b for b in summary["buyers"] if b["siren"] == "213801533")
    assert (engins["inserted"], engins["updated"], engins["unchanged"]) == (0, 1, 1)
    after = dataset_of("engins")
    assert [r["objet"] for r in table_rows(after)] == [
        "Travaux de voirie",
        "Travaux de voirie, lot 2",
    ]
    _resource, text = file_of(app, after, "decp-213801533-2022.json")
    assert "lot 2" in text
    assert {r["hash"] for r in after["resources"]} != {
        r["hash"] for r in before["resources"]
    }


def test_contracts_absent_from_a_later_file_stay_published(cli, tmp_path, territory):
    run(cli, write(tmp_path / "2024-05.json", [marche_2022(1, ENGINS)]))
    run(cli, write(tmp_path / "2024-06.json", [marche_2022(2, ENGINS)]))

    rows = table_rows(dataset_of("engins"))

    assert [r["id"] for r in rows] == ["2024-0001", "2024-0002"]


def test_2019_contracts_get_their_own_file(cli, app, tmp_path, territory):
    path = write(tmp_path / "old.json", [marche_2019(1, ENGINS)], version="2019")
    run(cli, path)
    run(cli, write(tmp_path / "new.json", [marche_2022(1, ENGINS)]))
    engins = dataset_of("engins")

    _r, old = file_of(app, engins, "decp-213801533-2019.json")
    _r, new = file_of(app, engins, "decp-213801533-2022.json")

    assert [m["id"] for m in json.loads(old)["marches"]] == ["2021000001"]
    assert list(validator("2019").iter_errors(json.loads(old))) == []
    assert [m["id"] for m in json.loads(new)["marches"]["marche"]] == ["2024-0001"]
    assert [r["format"] for r in table_rows(engins)] == ["2019", "2022"]


def test_a_truncated_file_publishes_nothing_and_removes_nothing(
    cli, tmp_path, national, territory
):
    run(cli, national)
    before = dataset_of("engins")
    data = national.read_bytes()
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(data[: len(data) // 2])

    result = run(cli, truncated)

    assert result.exit_code == 1
    assert "ne peut être lu jusqu'au bout, rien n'a été publié" in result.output
    after = dataset_of("engins")
    assert after["metadata_modified"] == before["metadata_modified"]
    assert len(table_rows(after)) == 3


def test_a_failing_buyer_stops_no_other_and_keeps_what_it_had(cli, national, territory):
    run(cli, national)
    villard = dataset_of("villard-de-lans")
    (table,) = [r for r in villard["resources"] if r.get("url_type") == "datastore"]
    # Break Villard's table: its DataStore table disappears.
    helpers.call_action("datastore_delete", resource_id=table["id"], force=True)
    changed = write(
        national.parent / "changed.json",
        [marche_2022(1, ENGINS, objet="Nouvel objet"), marche_2022(4, VILLARD)],
    )

    result = run(cli, changed, "--json")

    assert result.exit_code == 1
    summary = json.loads(result.output)
    by_siren = {b["siren"]: b for b in summary["buyers"]}
    assert by_siren["213805484"]["error"]
    assert by_siren["213801533"]["error"] is None
    assert by_siren["213801533"]["updated"] == 1
    # Villard's dataset and its files are all still there.
    after = dataset_of("villard-de-lans")
    assert [r["id"] for r in after["resources"]] == [
        r["id"] for r in villard["resources"]
    ]


def test_a_new_dataset_is_listed_only_once_complete(
    cli, app, national, territory, monkeypatch
):
    """A buyer's first import that stops after its table (here its files
    cannot be written; a killed process is the same) leaves a draft that no
    list, search or anonymous visitor sees; the next run completes and
    publishes it, each contract once."""
    from ckanext.opendata_territoire.decp import publish

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    with monkeypatch.context() as failing:
        failing.setattr(publish, "_write_files", broken)
        result = run(cli, national, "--json")
    assert result.exit_code == 1
    errors = {b["siren"]: b["error"] for b in json.loads(result.output)["buyers"]}
    assert errors["213801533"] == "disque plein"
    org = helpers.call_action("organization_show", id="engins", include_datasets=True)
    assert [d for d in org["packages"] if d.get("decp_buyer_siren")] == []
    assert (
        helpers.call_action("package_search", q="decp_buyer_siren:213801533")["count"]
        == 0
    )
    (draft,) = helpers.call_action(
        "package_search", q="decp_buyer_siren:213801533", include_drafts=True
    )["results"]
    assert draft["state"] == "draft"
    assert app.get(f"/dataset/{draft['name']}").status_code == 404

    run(cli, national)

    dataset = dataset_of("engins")
    assert dataset["id"] == draft["id"]
    assert dataset["state"] == "active"
    assert [r["uid"] for r in table_rows(dataset)] == sorted(
        {r["uid"] for r in table_rows(dataset)}
    )
    assert len(table_rows(dataset)) == 3
    assert {r["name"] for r in dataset["resources"]} >= {
        r["name"] for r in dataset_of("villard-de-lans")["resources"]
    }
    assert app.get(f"/dataset/{dataset['name']}").status_code == 200


def test_a_search_index_that_refuses_for_a_while_delays_the_buyer_only(
    cli, app, national, territory, monkeypatch
):
    """The search index refuses updates (a SolrCloud shard without leader
    for seconds: here CKAN's Solr connection points at a closed port from
    the first buyer's publication until the import waits): the buyer is
    tried again, and its files and dataset are written with every contract,
    none twice; the summary counts what the run added."""
    from ckan.lib.search.common import SolrSettings

    from ckanext.opendata_territoire import search_index
    from ckanext.opendata_territoire.decp import publish

    url = SolrSettings._url
    publish_buyer = publish._publish_buyer
    waits = []

    def index_down_from_now(*args, **kwargs):
        if not waits:
            monkeypatch.setattr(SolrSettings, "_url", "http://127.0.0.1:9/solr/ckan")
        return publish_buyer(*args, **kwargs)

    monkeypatch.setattr(publish, "_publish_buyer", index_down_from_now)

    def wait(seconds):  # the index is back once the import has waited
        waits.append(seconds)
        monkeypatch.setattr(SolrSettings, "_url", url)

    monkeypatch.setattr(search_index.time, "sleep", wait)

    result = run(cli, national, "--json")

    assert result.exit_code == 0, result.output
    summary = {b["siren"]: b for b in json.loads(result.output)["buyers"]}
    assert summary["213801533"]["error"] is None
    assert summary["213801533"]["inserted"] == 3
    assert waits == [2]
    dataset = dataset_of("engins")
    assert len(table_rows(dataset)) == 3
    _, text = file_of(app, dataset, "decp-213801533.csv")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 3


@pytest.mark.ckan_config("ckanext.territoire.index_retry_seconds", "0")
def test_a_search_index_that_keeps_refusing_fails_the_buyer_and_keeps_the_rest(
    cli, national, territory, monkeypatch
):
    from ckan.lib.search.common import SolrSettings

    from ckanext.opendata_territoire.decp import publish

    publish_buyer = publish._publish_buyer

    def index_down(*args, **kwargs):
        monkeypatch.setattr(SolrSettings, "_url", "http://127.0.0.1:9/solr/ckan")
        return publish_buyer(*args, **kwargs)

    monkeypatch.setattr(publish, "_publish_buyer", index_down)

    result = run(cli, national, "--json")

    assert result.exit_code == 1
    summary = {b["siren"]: b for b in json.loads(result.output)["buyers"]}
    assert "Solr" in summary["213801533"]["error"]


def test_dry_run_writes_nothing(cli, national, territory):
    result = run(cli, national, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Simulation, rien n'a été écrit." in result.output
    assert "insérer : 3" in result.output
    org = helpers.call_action("organization_show", id="engins", include_datasets=True)
    assert org["packages"] == []


def test_json_summary(cli, national, territory):
    result = run(cli, national, "--json")

    summary = json.loads(result.output)
    assert summary["read"] == 9
    assert summary["kept"] == 6
    assert summary["duplicates"] == 1
    assert summary["outside_buyers"] == 2
    assert summary["cleaned"] == {
        "absurd_amount": 1,
        "enumeration": 1,
        "not_communicated": 1,
        "siret_spaces": 1,
    }
    assert summary["contracts_by_buyer_siret"] == {ENGINS: 3, VILLARD: 2, CCMV: 1}
    assert summary["rejected"] == 0
    assert summary["dry_run"] is False
    assert {b["siren"] for b in summary["buyers"]} == {
        "213801533",
        "213805484",
        "243801024",
    }


def test_rejections_are_listed_with_the_contract_and_the_reason(
    cli, tmp_path, territory
):
    path = write(
        tmp_path / "f.json",
        [marche_2022(1, ENGINS), marche_2022(2, "2138015330001"), {"objet": "sans id"}],
    )

    result = run(cli, path)
    summary = json.loads(run(cli, path, "--json", "--dry-run").output)

    assert "invalid_buyer: 1" in result.output
    assert "enregistrement 2, contrat 2024-0002 : invalid_buyer 2138015330001" in (
        result.output
    )
    assert summary["rejections"] == [
        {"position": 2, "id": "2024-0002", "reason": "invalid_buyer",
         "detail": "2138015330001"},
        {"position": 3, "id": None, "reason": "missing_id", "detail": ""},
    ]  # fmt: skip


def test_buyer_option_keeps_that_buyer_only(cli, national, territory):
    result = run(cli, national, "--buyer", "213805484", "--json")

    summary = json.loads(result.output)
    assert [b["siren"] for b in summary["buyers"]] == ["213805484"]
    assert summary["contracts_by_buyer_siret"] == {VILLARD: 2}
    org = helpers.call_action("organization_show", id="engins", include_datasets=True)
    assert org["packages"] == []


def test_a_buyer_without_organization_is_an_error(cli, national, territory):
    result = run(cli, national, "--buyer", "217500016")

    assert result.exit_code == 1
    assert "aucune organisation du catalogue n'a le SIREN 217500016" in result.output


@pytest.mark.parametrize("value", ["2138", "21380153A"])
def test_a_malformed_buyer_is_refused(cli, national, territory, value):
    result = run(cli, national, "--buyer", value)

    assert result.exit_code == 1
    assert f"« {value} » n'est ni un SIREN (9 chiffres) ni un SIRET (14 chiffres)" in (
        result.output
    )


def test_not_a_decp_file(cli, tmp_path, territory):
    path = tmp_path / "x.csv"
    path.write_text("uid;montant\n")

    result = run(cli, path)

    assert result.exit_code == 1
    assert "ni JSON ni XML" in result.output or "neither JSON nor XML" in result.output


def test_generated_national_file(cli, tmp_path, territory):
    path = tmp_path / "national.json"
    truth = generate(path, contracts=3000, dirty=0.05)

    summary = json.loads(run(cli, path, "--json").output)

    # The catalogue has three of the CCMV's seven bodies.
    in_catalogue = {"243801024", "213801533", "213805484"}
    expected = {
        siret: count
        for siret, count in truth.territory_by_buyer.items()
        if siret[:9] in in_catalogue
    }
    assert summary["contracts_by_buyer_siret"] == expected
    for buyer in summary["buyers"]:
        published = sum(n for s, n in expected.items() if s[:9] == buyer["siren"])
        assert (buyer["inserted"], buyer["total"]) == (published, published)
    assert in_catalogue < ccmv_sirens()


def test_the_resource_pages_show(cli, app, national, territory):
    run(cli, national)
    engins = dataset_of("engins")

    for resource in engins["resources"]:
        page = app.get(f"/dataset/{engins['name']}/resource/{resource['id']}")
        assert page.status_code == 200, resource["name"]
    table = next(r for r in engins["resources"] if r.get("url_type") == "datastore")
    assert table.get("size") is None  # a table has no size: the page still shows
    page = app.get(f"/dataset/{engins['name']}")
    assert "Contrats, une ligne chacun (table)" in page.body
    assert "Fichier DECP, format 2022 (JSON)" in page.body


def test_a_file_written_by_pandas_with_nan_is_published(cli, tmp_path, territory):
    """Python's json.dump and pandas write a missing number as a bare NaN
    (not JSON): the file was refused whole ("rien n'a été publié")."""
    path = write(
        tmp_path / "pandas.json",
        [marche_2022(1, ENGINS), marche_2022(2, ENGINS), marche_2022(3, VILLARD)],
    )
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('"dureeMois": 24', '"dureeMois": NaN', 2), encoding="utf-8"
    )
    assert text.count('"dureeMois": 24') == 3

    summary = json.loads(run(cli, path, "--json").output)

    assert summary["error"] is None
    assert summary["kept"] == 3
    assert summary["cleaned"]["non_finite_number"] == 2
    assert summary["contracts_by_buyer_siret"] == {ENGINS: 2, VILLARD: 1}
    org = helpers.call_action("organization_show", id="engins", include_datasets=True)
    assert len(org["packages"]) == 1


TITULAIRE = "55204599900869"  # the titulaire of MARCHE_2022


def test_rows_name_the_buyer_and_the_titulaires_known(cli, app, national, territory):
    """The 2022 format carries SIRETs only: the buyer is named after its
    organization, a titulaire after the register of local firms or SIRENE,
    and one nobody knows keeps an empty name."""
    run(cli, national)
    engins = dataset_of("engins")

    rows = table_rows(engins)
    assert {r["acheteur_nom"] for r in rows} == {territory["a"]["title"]}
    assert {r["titulaires_id"] for r in rows} == {TITULAIRE}
    assert {r["titulaires_denominationSociale"] for r in rows} == {None}

    # SIRENE's answer for that firm comes, then the EPCI's register: the
    # register wins; tables and files are named again.
    from ckan import model

    from ckanext.opendata_territoire.decp import publish
    from ckanext.opendata_territoire.observatory import suppliers
    from ckanext.opendata_territoire.observatory.model import RegisterFirm, Supplier

    model.Session.add(
        Supplier(siret=TITULAIRE, status="found", name="SIRENE SA", category="GE")
    )
    model.Session.commit()
    suppliers.refresh(ask_service=False)
    publish.name_published()  # as `ckan territoire suppliers refresh` does
    assert {r["titulaires_denominationSociale"] for r in table_rows(engins)} == {
        "SIRENE SA"
    }
    model.Session.add(RegisterFirm(siret=TITULAIRE, name="Scierie du Vercors"))
    model.Session.commit()
    register, sirene = suppliers.names({TITULAIRE, "00000000000000"})
    assert register == {TITULAIRE: "Scierie du Vercors"}
    assert sirene == {TITULAIRE: "SIRENE SA"}

    publish.name_published()

    engins = dataset_of("engins")
    assert {r["titulaires_denominationSociale"] for r in table_rows(engins)} == {
        "Scierie du Vercors"
    }
    _resource, text = file_of(app, engins, "decp-213801533.csv")
    in_file = {
        r["titulaires_denominationSociale"] for r in csv.DictReader(io.StringIO(text))
    }
    assert in_file == {"Scierie du Vercors"}
    # A name learnt later changes no contract: the next import has nothing
    # to write.
    summary = json.loads(run(cli, national, "--json").output)
    assert [b["updated"] for b in summary["buyers"] if b["siren"] == "213801533"] == [0]


ACTS = [
    {
        "acteSousTraitance": {
            "id": 1,
            "sousTraitant": {"id": "44306184100047", "typeIdentifiant": "SIRET"},
            "dureeMois": 6,
            "dateNotification": "2024-06-01",
            "datePublicationDonnees": "2024-06-02",
            "montant": 10000,
            "variationPrix": "Ferme",
        }
    },
    {
        "acteSousTraitance": {
            "id": 2,
            "sousTraitant": {"id": "552 081 317 00053", "typeIdentifiant": "SIRET"},
            "dureeMois": 3,
            "dateNotification": "2024-07-01",
            "datePublicationDonnees": "2024-07-02",
            "montant": 2500.5,
            "variationPrix": "Ferme",
        }
    },
]


def test_subcontracting_acts_of_decp_2_0_4_are_in_the_table(
    cli, app, tmp_path, territory
):
    path = write(
        tmp_path / "st.json", [marche_2022(1, ENGINS, actesSousTraitance=ACTS)]
    )

    run(cli, path)

    engins = dataset_of("engins")
    (row,) = table_rows(engins)
    assert row["actesSousTraitance_nombre"] == 2
    assert float(row["actesSousTraitance_montant"]) == 12500.5
    # The second subcontractor's SIRET was written with spaces (a record
    # without modifications: its subcontractors were not cleaned before).
    assert row["sousTraitants_id"] == "44306184100047; 55208131700053"
    assert "siret_spaces" in row["anomalies"]
    _resource, text = file_of(app, engins, "decp-213801533.csv")
    (line,) = csv.DictReader(io.StringIO(text))
    assert line["actesSousTraitance_nombre"] == "2"


def test_a_table_of_an_earlier_version_gets_the_new_columns(
    cli, tmp_path, territory, monkeypatch
):
    """A table made before the subcontracting columns existed: the next
    import adds them, keeps the rows and fills them."""
    from ckanext.opendata_territoire.decp import model as decp_model
    from ckanext.opendata_territoire.decp import publish

    new = {
        "actesSousTraitance_nombre",
        "actesSousTraitance_montant",
        "sousTraitants_id",
    }
    path = write(
        tmp_path / "st.json", [marche_2022(1, ENGINS, actesSousTraitance=ACTS)]
    )
    with monkeypatch.context() as old:
        old.setattr(
            publish, "COLUMNS", [c for c in decp_model.COLUMNS if c[0] not in new]
        )
        old.setattr(decp_model, "_subcontracting", lambda record: {})
        run(cli, path)
    (row,) = table_rows(dataset_of("engins"))
    assert new.isdisjoint(row)

    summary = json.loads(run(cli, path, "--json").output)

    (row,) = table_rows(dataset_of("engins"))
    assert row["actesSousTraitance_nombre"] == 2
    assert [b["updated"] for b in summary["buyers"] if b["siren"] == "213801533"] == [1]


def test_the_contracts_table_is_previewed_with_french_headers(
    cli, tmp_path, territory, monkeypatch
):
    """The table gets a data table view (CKAN makes default views before the
    DataStore holds the table, so it made none), and its data dictionary
    speaks the portal's language; a table made before, with the column
    names as labels and no view, gets both at the next import."""
    from ckanext.opendata_territoire.decp import publish

    path = write(tmp_path / "v.json", [marche_2022(1, ENGINS)])
    with monkeypatch.context() as old:
        old.setattr(
            publish,
            "_fields",
            lambda: [
                {"id": name, "type": kind, "info": {"label": name, "notes": notes}}
                for name, kind, notes in publish.COLUMNS
            ],
        )
        old.setattr(publish, "_table_views", lambda context, table_id: None)
        run(cli, path)
    (table,) = [
        r for r in dataset_of("engins")["resources"] if r["url_type"] == "datastore"
    ]
    assert helpers.call_action("resource_view_list", id=table["id"]) == []

    run(cli, path)

    views = helpers.call_action("resource_view_list", id=table["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]
    fields = {
        f["id"]: f["info"]
        for f in helpers.call_action("datastore_info", id=table["id"])["fields"]
    }
    assert fields["montant"] == {
        "label": "Montant (€)",
        "notes": "montant actuel (valeur globale d'une concession), en euros",
    }
    assert fields["uid"]["notes"] == (
        "SIRET de l'acheteur suivi de l'identifiant du contrat"
    )
