"""The tabular consolidation in the portal, against the real database,
DataStore and Solr: `ckan territoire decp import` of its CSV and Parquet
files, the names and places it carries in the contracts tables, the
observatory placing titulaires from it (after the register, before
SIRENE), and its harvest from a data.gouv.fr that answers byte ranges (only
the territory's row groups fetched) or ignores them (the file downloaded
whole): the same contracts."""

from __future__ import annotations

import csv
import json
import os

import pytest
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.opendata_territoire.decp.generator import TabularGenerator
from ckanext.opendata_territoire.harvesters import notes
from ckanext.opendata_territoire.observatory import suppliers
from ckanext.opendata_territoire.observatory.model import Award
from tests.decp.test_harvester import datagouv, harvest, source  # noqa: F401
from tests.decp.test_import import dataset_of, table_rows
from tests.decp.test_tabular import csv_bytes, row
from tests.observatory.conftest import D1, E1, L2, register_dataset, sirene  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_datastore", "with_request_context")

# The buyers of the territory fixture (tests/people.py): the EPCI and two
# of its communes (SIREN, name, INSEE code).
FIXTURE_BUYERS = (
    ("243801024", "Communauté de Communes du Massif du Vercors", "38548"),
    ("213801533", "Commune d'Engins", "38153"),
    ("213805484", "Commune de Villard-de-Lans", "38548"),
)
ORGS = {"243801024": "ccmv", "213801533": "engins", "213805484": "villard-de-lans"}


def generated(path, contracts=3000, share=0.05, row_group_rows=2000):
    generator = TabularGenerator(
        "tabular-parquet" if path.suffix == ".parquet" else "tabular-csv",
        seed=11,
        dirty=0.05,
        territory_share=share,
        territory=FIXTURE_BUYERS,
    )
    return generator.write_file(str(path), contracts, row_group_rows)


def run(cli, path, *args):
    result = cli.invoke(
        ckan_command, ["territoire", "decp", "import", str(path), *args]
    )
    assert result.exit_code == 0, result.output
    return result


def published(org_name):
    return {r["uid"]: r for r in table_rows(dataset_of(org_name))}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_import_of_the_consolidation_gives_the_generators_counts(
    cli, territory, tmp_path, suffix
):
    path = tmp_path / f"decp{suffix}"
    truth = generated(path)

    dry = json.loads(run(cli, path, "--dry-run", "--json").output)
    run(cli, path)

    assert dry["format"] == f"tabular-{suffix[1:]}"
    assert dry["contracts_by_buyer_siret"] == dict(truth.territory_by_buyer)
    amounts: dict[str, float] = {}
    for siren, org_name in ORGS.items():
        for record in published(org_name).values():
            assert record["acheteur_siren"] == siren
            amounts[record["acheteur_id"]] = round(
                amounts.get(record["acheteur_id"], 0.0) + float(record["montant"]), 2
            )
    assert amounts == truth.territory_amount_by_buyer
    # The observatory's awards to PME are the generator's.
    model.Session.remove()
    awards = model.Session.query(Award).all()
    assert len(awards) == truth.territory_awards
    assert sum(a.category == "PME" for a in awards) == truth.territory_awards_to_pme


def test_every_row_names_its_buyer_and_its_known_titulaires(cli, territory, tmp_path):
    path = tmp_path / "decp.parquet"
    generated(path)

    run(cli, path)

    rows = published("engins").values()
    assert {r["acheteur_nom"] for r in rows} == {"Commune d'Engins"}
    for record in rows:
        names = (record["titulaires_denominationSociale"] or "").split("; ")
        categories = (record["titulaires_categorie"] or "").split("; ")
        assert len(names) == record["titulaires_nombre"]
        # A titulaire the source places is named; one it does not know
        # (no category, no commune) is left unnamed, never guessed.
        for name, category in zip(names, categories, strict=False):
            assert bool(name) or not category


def test_titulaires_the_source_places_are_not_asked_to_sirene(cli, territory, tmp_path):
    path = tmp_path / "decp.csv"
    generated(path)
    unplaced = set()
    with path.open(encoding="utf-8") as f:
        for line in csv.DictReader(f):
            if line["acheteur_id"][:9] in ORGS and not line["titulaire_categorie"]:
                unplaced.add(line["titulaire_id"].zfill(14))

    run(cli, path)

    assert unplaced
    assert set(suppliers.to_ask()) == unplaced


REGISTER_L2 = "siret;denomination;code_commune;categorie\n" + (
    f"{L2};Terrassements du Vercors;38548;PME\n"
)


def test_register_then_source_then_sirene(cli, territory, sirene, tmp_path):  # noqa: F811
    # L2: in the register (Villard-de-Lans, PME) and, differently, in the
    # source (Lyon, GE): the register wins. D1: the source says Engins and
    # PME, SIRENE says Grenoble, ETI: the source wins, and D1 is not asked.
    # E1: the source does not place it: SIRENE does (Lyon, GE).
    path = tmp_path / "decp.csv"
    path.write_bytes(
        csv_bytes(
            [
                row(
                    "A1",
                    0,
                    True,
                    1000,
                    titulaire=L2,
                    titulaire_commune_code="69123",
                    titulaire_categorie="GE",
                ),
                row(
                    "A2",
                    0,
                    True,
                    2000,
                    titulaire=D1,
                    titulaire_commune_code="38153",
                    titulaire_categorie="PME",
                ),
                row(
                    "A3",
                    0,
                    True,
                    3000,
                    titulaire=E1,
                    titulaire_commune_code="",
                    titulaire_categorie="",
                    titulaire_distance="",
                ),
            ]
        )
    )
    register_dataset(territory, REGISTER_L2)

    run(cli, path)
    assert suppliers.to_ask() == [E1]
    result = cli.invoke(ckan_command, ["territoire", "suppliers", "refresh"])
    assert result.exit_code == 0, result.output

    model.Session.remove()
    placed = {
        a.siret: (a.commune, a.category, a.origin, a.locality)
        for a in model.Session.query(Award)
    }
    assert placed[L2] == ("38548", "PME", "register", "territory")
    assert placed[D1] == ("38153", "PME", "source", "territory")
    assert placed[E1][2] == "sirene"
    assert placed[E1][3] == "elsewhere"
    assert {q for q, _page in sirene.requests} == {E1}
    # The figures say where the places come from.
    figures = helpers.call_action("territoire_procurement_stats", {})
    assert figures["total"]["origins"] == {"register": 1, "source": 1, "sirene": 1}


# Harvest from data.gouv.fr


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A national Parquet file sorted by uid, as decp-processing writes it:
    200,000 contracts, 0.2 % of them the fixture's buyers', in row groups
    of 10,000 rows (the proportions of the national file, 2 million rows,
    in row groups of 100,000)."""
    # DECP_NATIONAL_CONTRACTS=1000000 makes the file of bench/RESULTS.md's
    # figure (row groups of a twentieth of it, 0.2 % of the CCMV's).
    contracts = int(os.environ.get("DECP_NATIONAL_CONTRACTS") or 200_000)
    path = tmp_path_factory.mktemp("national") / "decp.parquet"
    truth = generated(
        path, contracts=contracts, share=0.002, row_group_rows=contracts // 20
    )
    return path, truth


def national_source(fake, body, fmt="parquet", ranges=True):
    resource = fake.resource("r-tab", f"decp.{fmt}", body, fmt=fmt)
    fake.routes["/files/" + f"decp.{fmt}"].ranges = ranges
    fake.dataset("decp-tabulaire", [[resource]])
    return source(
        f"{fake.url}/fr/datasets/decp-tabulaire/", {"formats": [fmt]}
    ), resource


def published_contracts():
    return {
        uid: (r["montant"], r["titulaires_id"], r["titulaires_categorie"])
        for org_name in ORGS.values()
        for uid, r in published(org_name).items()
    }


def assert_published(truth):
    contracts = published_contracts()
    by_buyer: dict[str, int] = {}
    for uid in contracts:
        by_buyer[uid[:14]] = by_buyer.get(uid[:14], 0) + 1
    assert by_buyer == dict(truth.territory_by_buyer)
    return contracts


def test_a_parquet_source_is_read_by_ranges(datagouv, territory, national):  # noqa: F811
    path, truth = national
    body = path.read_bytes()
    src, _resource = national_source(datagouv, body)

    objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert_published(truth)
    # Only the footer, the buyer column and the territory's row groups.
    sent = sum(datagouv.sent.values())
    print(f"fetched {sent:,} bytes of {len(body):,} ({100 * sent / len(body):.1f} %)")
    assert sent < 0.15 * len(body)
    (note,) = {n for obj in objects.values() for n in notes.object_notes(obj)}
    assert "plages" in note


def test_without_ranges_the_same_contracts_from_a_whole_download(
    datagouv,  # noqa: F811
    territory,
    national,
):
    path, truth = national
    body = path.read_bytes()
    src, _resource = national_source(datagouv, body, ranges=False)

    objects, gather_errors = harvest(src)

    assert gather_errors == []
    assert_published(truth)
    # The range asked for the footer came whole: the file was downloaded
    # (and its checksum checked) as any other.
    assert sum(datagouv.sent.values()) >= 2 * len(body)
    assert not {n for obj in objects.values() for n in notes.object_notes(obj)}


def test_a_csv_source_is_downloaded_and_read(datagouv, territory, tmp_path):  # noqa: F811
    path = tmp_path / "decp.csv"
    truth = generated(path)
    src, _resource = national_source(datagouv, path.read_bytes(), fmt="csv")

    _objects, gather_errors = harvest(src)

    assert gather_errors == []
    contracts = assert_published(truth)
    assert any(categories for _m, _t, categories in contracts.values())


def test_the_source_form_takes_the_tabular_formats(datagouv, territory):  # noqa: F811
    src = source(datagouv.url + "/fr/datasets/x/", {"formats": ["parquet", "csv"]})

    assert json.loads(src["config"])["formats"] == ["parquet", "csv"]
