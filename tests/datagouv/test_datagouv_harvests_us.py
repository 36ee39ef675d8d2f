"""data.gouv.fr can harvest the whole catalogue with both its methods, over
real HTTP: its CKAN backend (package_list, package_search with rows=1000,
package_show checked against its schema) and its DCAT backend (/catalog.*
page after page through hydra's links). Each sees exactly the public, active
datasets, once, with the values a reuser on data.gouv.fr would read.
tests/datagouv/datagouv_reader.py restates how both backends read a portal;
tests/metadata/test_udata_compat.py and test_dcat.py check the keys and the
RDF themselves."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import requests
from ckan.tests import helpers

from tests.conftest import shared_request_context
from tests.datagouv.datagouv_reader import (
    CkanReader,
    DcatReader,
    HarvestError,
    read_ckan,
    read_dcat,
    validate_package,
)
from tests.factories import dataset_fields

REPO = Path(__file__).resolve().parents[2]
PER_PAGE = 5
# The strict DCAT-AP 3 output (SHACL-conformant), without territoire_datagouv.
STRICT_PROFILES = "euro_dcat_ap_3,territoire_fr"

# The catalogue is made once for the module (its tests only read it).
pytestmark = [
    pytest.mark.usefixtures("with_request_context"),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", str(PER_PAGE)),
]

ORGANIZATIONS = ("villard-de-lans", "engins", "ccmv")
ORGANIZATION_TITLES = {
    "villard-de-lans": "Villard-de-Lans",
    "engins": "Engins",
    "ccmv": "Communauté de communes du massif du Vercors",
}


def create(user: str, **fields: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", {"user": user}, **fields)


def full_dataset(number: int) -> dict[str, Any]:
    owner = ORGANIZATIONS[number % 3]
    return {
        "name": f"jeu-{number}",
        "title": f"Jeu public {number}",
        "notes": f"Description du jeu {number}.",
        "owner_org": owner,
        "tag_string": "cantine,menus",
        "frequency": ("weekly", "annual", "monthly")[number % 3],
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31",
        "spatial_insee": ["38548"],
        "contact_name": "Service des données",
        "contact_email": "donnees@villard-de-lans.fr",
        "resources": [
            {
                "name": f"donnees-{number}.csv",
                "url": f"https://www.villard-de-lans.fr/donnees-{number}.csv",
                "format": "CSV",
                "mimetype": "text/csv",
                "hash": f"{number:040x}",
            }
        ],
        **dataset_fields(license_id=("lov2", "odc-odbl")[number % 2]),
    }


@pytest.fixture(scope="module")
def catalogue(module_territory) -> dict[str, Any]:
    with shared_request_context():
        return make_catalogue(module_territory)


def make_catalogue(territory) -> dict[str, Any]:
    """Fourteen full public datasets in the three organizations (more than
    package_search's default of 10 rows, three pages and more of DCAT),
    one with nothing but the required fields, one without any file; one
    private, one draft and one deleted that must not be seen."""
    admin = territory["people"]["sysadmin"]["name"]
    public = {}
    for number in range(1, 15):
        dataset = create(admin, **full_dataset(number))
        public[dataset["id"]] = dataset
    minimal = create(
        admin,
        name="minimal",
        title="Le moins possible",
        owner_org="ccmv",
        resources=[{"url": "https://www.ccmv.fr/liste.csv"}],
        **dataset_fields(),
    )
    public[minimal["id"]] = minimal
    no_file = create(
        admin,
        name="sans-fichier",
        title="Sans fichier",
        owner_org="ccmv",
        **dataset_fields(),
    )
    public[no_file["id"]] = no_file
    hidden = [
        create(
            admin,
            name=name,
            title=name,
            owner_org="engins",
            resources=[{"url": f"https://www.engins.fr/{name}.csv"}],
            **dataset_fields(),
            **extra,
        )
        for name, extra in (
            ("prive", {"private": True}),
            ("brouillon", {"state": "draft"}),
            ("supprime", {}),
        )
    ]
    helpers.call_action("package_delete", {"user": admin}, id="supprime")
    return {
        "public": public,
        "with_files": {i for i, d in public.items() if d["resources"]},
        "no_file": no_file["id"],
        "hidden": {d["id"] for d in hidden},
    }


class RecordingSession(requests.Session):
    """A session that keeps the status and the ``success`` of each answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[str, int, Any]] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        body = response.json() if "json" in response.headers["Content-Type"] else {}
        self.answers.append((response.url, response.status_code, body.get("success")))
        return response


# --- package_search with rows=1000 -----------------------------------------


def configured_rows_max() -> list[tuple[str, str]]:
    """Every place the project sets ckan.search.rows_max (test and demo
    ini files, docker's environment)."""
    found = []
    for path in (REPO / "test.ini", REPO / "dev" / "demo.ini.in"):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read(path)
        for section in parser.sections():
            if parser.has_option(section, "ckan.search.rows_max"):
                found.append((path.name, parser.get(section, "ckan.search.rows_max")))
    compose = (REPO / "docker" / "docker-compose.yml").read_text()
    found += [
        ("docker-compose.yml", value)
        for value in re.findall(r"CKAN__SEARCH__ROWS_MAX:\s*\"?(\d+)", compose)
    ]
    return found


def test_the_configuration_lets_package_search_answer_1000_rows():
    """data.gouv.fr asks for rows=1000 and never pages further: CKAN cuts
    rows at ckan.search.rows_max, which no configuration lowers."""
    assert tk.asint(tk.config.get("ckan.search.rows_max")) >= 1000
    for where, value in configured_rows_max():
        assert int(value) >= 1000, where


def test_package_search_with_1000_rows_gives_every_public_dataset(
    live_server, catalogue
):
    """More datasets than the default 10 rows: all come back in one answer."""
    ckan = CkanReader(live_server)
    found = ckan.action("package_search", q="*:*", rows=1000)

    ids = [d["id"] for d in found["results"]]
    assert len(ids) == found["count"] == len(catalogue["public"]) > 10
    assert sorted(ids) == sorted(catalogue["public"])


# --- the CKAN backend ------------------------------------------------------


def test_the_ckan_backend_sees_every_public_dataset_once(live_server, catalogue):
    session = RecordingSession()
    ckan = CkanReader(live_server, session=session)
    read = ckan.read()

    ids = [d["remote_id"] for d in read]
    # Every public dataset with a file, once; the one without a file is
    # skipped by data.gouv.fr itself; nothing private, draft or deleted.
    assert sorted(ids) == sorted(catalogue["with_files"])
    assert ckan.skipped == [catalogue["no_file"]]
    assert not set(ids) & catalogue["hidden"]
    # One package_list, then one package_show per public dataset: every
    # answer a 200 with success true (a 200 with success false fails a
    # harvest on data.gouv.fr).
    assert len(session.answers) == 1 + len(catalogue["public"])
    assert {(status, success) for _, status, success in session.answers} == {
        (200, True)
    }


@pytest.mark.parametrize("organization", ORGANIZATIONS)
def test_the_organization_filter_gives_that_organizations_datasets(
    live_server, catalogue, organization
):
    session = RecordingSession()
    read = CkanReader(live_server, session=session).read(organization=organization)

    expected = {
        i
        for i in catalogue["with_files"]
        if catalogue["public"][i]["owner_org"]
        == helpers.call_action("organization_show", id=organization)["id"]
    }
    assert sorted(d["remote_id"] for d in read) == sorted(expected)
    first_call = session.answers[0][0]
    assert "package_search" in first_call and "rows=1000" in first_call
    assert {(status, success) for _, status, success in session.answers} == {
        (200, True)
    }


def test_the_tag_filter_combined_with_an_organization(live_server, catalogue):
    """data.gouv.fr's two filters joined with AND in one package_search."""
    session = RecordingSession()
    ckan = CkanReader(live_server, session=session)

    tagged = ckan.read(tags="menus")
    both = ckan.read(organization="engins", tags="menus")

    assert sorted(d["slug"] for d in tagged) == sorted(f"jeu-{n}" for n in range(1, 15))
    assert sorted(d["slug"] for d in both) == sorted(
        f"jeu-{n}" for n in range(1, 15) if n % 3 == 1
    )
    searches = [url for url, _, _ in session.answers if "package_search" in url]
    assert "q=organization%3Aengins+AND+tags%3Amenus" in searches[-1]


# Villard-de-Lans's town hall, and Grenoble's, 25 km away (WGS 84).
VILLARD_TOWN_HALL = (5.5531, 45.0714)
GRENOBLE = (5.7245, 45.1885)


def inside(point: tuple[float, float], multipolygon: dict[str, Any]) -> bool:
    """Whether the point is in the box of one of the (rectangular) polygons."""
    for polygon in multipolygon["coordinates"]:
        xs = [x for x, _y in polygon[0]]
        ys = [y for _x, y in polygon[0]]
        if min(xs) <= point[0] <= max(xs) and min(ys) <= point[1] <= max(ys):
            return True
    return False


def test_the_ckan_backend_reads_our_values(live_server, catalogue):
    read = {d["title"]: d for d in read_ckan(live_server)}

    first = read["Jeu public 1"]
    assert first["slug"] == "jeu-1"
    assert first["license"] == "odc-odbl"
    assert read["Jeu public 2"]["license"] == "lov2"
    assert first["frequency"] == "annual"
    assert read["Jeu public 3"]["frequency"] == "weekly"
    assert first["temporal"] == ("2024-01-01", "2024-12-31")
    assert first["tags"] == ["cantine", "menus"]
    assert first["description"] == "Description du jeu 1."
    assert first["remote_url"] == f"{live_server}/dataset/jeu-1"
    # The INSEE URI is kept as an extra (no zone is matched); nothing else
    # of our schema arrives as an extra: our fields are top-level keys.
    assert first["extras"] == {
        "ckan:spatial-uri": "http://id.insee.fr/geo/commune/38548"
    }
    # The coverage is the commune's bounding box (the "spatial" extra).
    assert inside(VILLARD_TOWN_HALL, first["spatial"])
    assert not inside(GRENOBLE, first["spatial"])
    (resource,) = first["resources"]
    assert resource["title"] == "donnees-1.csv"
    assert resource["url"] == "https://www.villard-de-lans.fr/donnees-1.csv"
    assert resource["format"] == "csv"
    assert resource["mime"] == "text/csv"
    assert resource["checksum"] == {"type": "sha1", "value": f"{1:040x}"}
    assert resource["issued_at"] is not None


def test_a_dataset_with_only_the_required_fields_passes_the_ckan_backend(
    live_server, catalogue
):
    minimal = next(d for d in read_ckan(live_server) if d["slug"] == "minimal")

    assert minimal["title"] == "Le moins possible"
    assert minimal["license"] == "lov2"
    assert minimal["frequency"] is None and minimal["temporal"] is None
    assert minimal["extras"] == {}
    (resource,) = minimal["resources"]
    # An unnamed resource is shown with its file name (the schema requires
    # a name), its format guessed by CKAN from that name.
    assert resource["url"] == "https://www.ccmv.fr/liste.csv"
    assert resource["title"] == "liste.csv"
    assert resource["format"] == "csv"


def test_package_show_of_a_hidden_dataset_is_refused_to_data_gouv(
    live_server, catalogue
):
    """data.gouv.fr harvests without an API key: package_show of a private
    or draft dataset answers "not found" to it, as a missing one does, and
    the reader reports it."""
    ckan = CkanReader(live_server)
    for name in ("prive", "brouillon"):
        with pytest.raises(HarvestError, match="HTTP 404"):
            ckan.action("package_show", id=name)


def test_the_schema_check_refuses_what_data_gouv_refuses():
    """The restated schema is not a formality: a package a scheming custom
    type would give, or with a resource without format, is refused."""
    package = {
        "id": "x",
        "name": "x",
        "title": "X",
        "notes": None,
        "license_id": "lov2",
        "license_title": None,
        "tags": [{"id": "t", "name": "menus"}],
        "metadata_created": "2024-01-01T00:00:00",
        "metadata_modified": "2024-01-01T00:00:00",
        "organization": None,
        "private": False,
        "type": "dataset",
        "author": None,
        "author_email": None,
        "maintainer": None,
        "maintainer_email": None,
        "state": "active",
        "resources": [
            {
                "id": "r",
                "position": 0,
                "name": "r",
                "description": None,
                "format": "csv",
                "mimetype": None,
                "size": None,
                "hash": "",
                "created": "2024-01-01T00:00:00",
                "last_modified": None,
                "url": "https://www.example.fr/r.csv",
                "resource_type": None,
            }
        ],
    }
    assert validate_package(package) == []
    broken = {**package, "type": "marche-public", "maintainer_email": "nobody"}
    broken["resources"] = [{**package["resources"][0], "format": None}]
    broken["resources"].append({**package["resources"][0], "url": "http://10.0.0.1/x"})
    del broken["state"]

    assert validate_package(broken) == [
        "missing key state",
        "maintainer_email 'nobody' is not an email address",
        "type 'marche-public' is not 'dataset'",
        "resource r: format None is not text",
        "resource r: url 'http://10.0.0.1/x' is refused",
    ]


# --- the DCAT backend ------------------------------------------------------


@pytest.mark.parametrize("extension", ["ttl", "rdf", "jsonld"])
def test_the_dcat_backend_pages_through_every_public_dataset_once(
    live_server, catalogue, extension
):
    dcat = DcatReader(f"{live_server}/catalog.{extension}")
    read = dcat.read()

    public = len(catalogue["public"])
    assert len(dcat.pages) == -(-public // PER_PAGE) > 2
    ids = [d["remote_id"] for d in read]
    assert sorted(ids) == sorted(catalogue["public"])
    assert not set(ids) & catalogue["hidden"]
    assert dcat.skipped == []


def test_the_dcat_backend_reads_our_values(live_server, catalogue):
    read = {d["title"]: d for d in read_dcat(live_server)}

    first = read["Jeu public 1"]
    assert first["license"] == "odc-odbl"
    assert read["Jeu public 2"]["license"] == "lov2"
    assert first["frequency"] == "annual"
    assert read["Jeu public 3"]["frequency"] == "weekly"
    assert first["temporal"] == ("2024-01-01", "2024-12-31")
    assert first["tags"] == ["cantine", "menus"]
    assert first["description"] == "Description du jeu 1."
    # The INSEE zone is not read by the DCAT backend: the geometry is the
    # Location's dcat:bbox.
    assert inside(VILLARD_TOWN_HALL, first["spatial"])
    assert not inside(GRENOBLE, first["spatial"])
    contacts = {c["role"]: c for c in first["contact_points"]}
    assert contacts["contact"]["email"] == "donnees@villard-de-lans.fr"
    assert contacts["contact"]["name"].startswith("Service des données")
    assert contacts["publisher"]["name"] == ORGANIZATION_TITLES["engins"]
    (resource,) = first["resources"]
    assert resource["url"] == "https://www.villard-de-lans.fr/donnees-1.csv"
    assert resource["title"] == "donnees-1.csv"
    assert resource["format"] == "csv"
    assert resource["mime"] == "text/csv"
    assert resource["checksum"]["type"] == "sha1"


def test_the_dcat_checksum_reaches_data_gouv_as_text(live_server, catalogue):
    """The catalogue's default profiles end with territoire_datagouv: a
    plain literal, which udata keeps as the string it needs."""
    reader = DcatReader(f"{live_server}/catalog.ttl")
    read = {d["title"]: d for d in reader.read()}

    assert reader.failed == {}
    (resource,) = read["Jeu public 1"]["resources"]
    assert resource["checksum"] == {"type": "sha1", "value": f"{1:040x}"}


def test_the_strict_dcat_ap_3_output_would_lose_every_hashed_dataset(
    live_server, catalogue
):
    """Why data.gouv.fr is not given the strict output: its xsd:hexBinary
    checksums become bytes and udata refuses each dataset holding one."""
    reader = DcatReader(f"{live_server}/catalog.ttl?profiles={STRICT_PROFILES}")
    read = reader.read()

    assert len(reader.failed) == 14
    assert set(reader.failed.values()) == {
        "resources.0.checksum.value: StringField only accepts string values"
    }
    assert {d["title"] for d in read} == {"Le moins possible", "Sans fichier"}


def test_catalogue_pages_in_text_say_they_are_utf8(live_server, catalogue):
    """A text/* answer without charset is read as ISO-8859-1 by data.gouv.fr
    (requests' rule): the accents of a Turtle catalogue must survive."""
    response = requests.get(f"{live_server}/catalog.ttl", timeout=30)

    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert "Service des données" in response.text


def test_a_dataset_with_only_the_required_fields_passes_the_dcat_backend(
    live_server, catalogue
):
    read = {d["title"]: d for d in read_dcat(live_server)}

    minimal = read["Le moins possible"]
    assert minimal["license"] == "lov2"
    assert minimal["frequency"] is None and minimal["temporal"] is None
    assert [r["url"] for r in minimal["resources"]] == ["https://www.ccmv.fr/liste.csv"]
    # The dataset without a file arrives, without resources.
    assert read["Sans fichier"]["resources"] == []


def test_both_backends_create_the_same_datasets(live_server, catalogue):
    by_ckan = {d["remote_id"]: d for d in read_ckan(live_server)}
    by_dcat = {d["remote_id"]: d for d in read_dcat(live_server)}

    assert set(by_ckan) == set(by_dcat) - {catalogue["no_file"]}
    for remote_id, dataset in by_ckan.items():
        other = by_dcat[remote_id]
        for key in ("title", "description", "license", "frequency", "temporal", "tags"):
            assert dataset[key] == other[key], (remote_id, key)
        for mine, theirs in zip(dataset["resources"], other["resources"], strict=True):
            for key in ("url", "title", "format", "mime"):
                assert mine[key] == theirs[key], (remote_id, key)
            assert (mine["checksum"] or {}).get("type") == (
                theirs["checksum"] or {}
            ).get("type")
