"""The territory reference data: EPCI and communes from the files of
@etalab/decoupage-administratif (the fixture copy, then the real package) or
from geo.api.gouv.fr (a local test server)."""

from __future__ import annotations

import shutil

import pytest

from ckanext.opendata_territoire.territory import reference
from ckanext.opendata_territoire.territory.reference import (
    Commune,
    GeoApiReference,
    NpmReference,
    TerritoryError,
)
from tests.territory.conftest import (
    CCMV,
    CCMV_ORGANIZATIONS,
    FIXTURE_DATA,
    PETITE_TERRE,
    fixture_reference,
)


@fixture_reference
def test_load_epci_gives_the_ccmv_and_its_six_communes():
    epci = reference.load_epci(CCMV)

    assert (epci.siren, epci.name, epci.kind) == (CCMV, "CC du Massif du Vercors", "CC")
    assert epci.population == 12482  # population totale
    assert {(c.siren, c.insee, c.name) for c in epci.members} == {
        (siren, insee, title)
        for siren, (insee, title, kind) in CCMV_ORGANIZATIONS.items()
        if kind == "commune"
    }
    villard = next(c for c in epci.members if c.insee == "38548")
    assert villard == Commune("38548", "213805484", "Villard-de-Lans", 4578)


@fixture_reference
def test_load_epci_reads_an_overseas_epci():
    epci = reference.load_epci(PETITE_TERRE)

    assert [(c.insee, c.name) for c in epci.members] == [
        ("97608", "Dzaoudzi"),
        ("97615", "Pamandzi"),
    ]


@fixture_reference
def test_a_siren_with_spaces_is_accepted():
    assert reference.load_epci("243 801 024").siren == CCMV


@fixture_reference
def test_an_unknown_siren_names_the_siren_and_the_data_version():
    with pytest.raises(TerritoryError) as error:
        reference.load_epci("123456789")

    assert str(error.value).startswith(
        "No EPCI with SIREN 123456789 in the reference data "
        "(@etalab/decoupage-administratif 6.0.0)"
    )


@pytest.mark.parametrize("value", ["12345", "24380102A", "", "2438010245"])
@fixture_reference
def test_a_malformed_siren_is_refused_before_any_lookup(value):
    with pytest.raises(TerritoryError, match="is not a SIREN"):
        reference.load_epci(value)


@pytest.mark.ckan_config("ckanext.territoire.reference_dir", "/nonexistent/data")
def test_missing_files_say_to_run_the_setup_or_set_the_option():
    with pytest.raises(TerritoryError) as error:
        reference.load_epci(CCMV)

    message = str(error.value)
    assert "The territory reference data is missing (/nonexistent/data/epci.json)" in (
        message
    )
    assert "run dev/setup.sh" in message
    assert "ckanext.territoire.reference_dir" in message


def test_a_corrupt_file_is_reported(tmp_path):
    shutil.copy(FIXTURE_DATA / "communes.json", tmp_path / "communes.json")
    (tmp_path / "epci.json").write_text("[{", "utf-8")

    with pytest.raises(TerritoryError, match="cannot be read"):
        NpmReference(tmp_path).epci(CCMV)


def test_a_file_of_another_shape_is_reported(tmp_path):
    (tmp_path / "epci.json").write_text('[{"code": "243801024"}]', "utf-8")

    with pytest.raises(TerritoryError, match="unexpected format"):
        NpmReference(tmp_path).epci(CCMV)


@pytest.mark.ckan_config("ckanext.territoire.reference_source", "insee")
def test_an_unknown_source_is_reported():
    with pytest.raises(TerritoryError, match="must be npm or geo_api"):
        reference.load_epci(CCMV)


@fixture_reference
@pytest.mark.parametrize(
    ("insee", "exists"),
    [
        ("38548", True),  # Villard-de-Lans
        ("38225", True),  # Autrans-Méaudre en Vercors (also Méaudre, delegated)
        ("38021", False),  # Autrans: a delegated commune since 2016
        ("97608", True),  # Dzaoudzi
        ("38999", False),
        (" 38153 ", True),
    ],
)
def test_commune_exists_only_for_current_communes(insee, exists):
    assert reference.commune_exists(insee) is exists
    assert reference.commune_known(insee) is exists


@pytest.mark.ckan_config("ckanext.territoire.reference_dir", "/nonexistent/data")
def test_without_local_files_commune_known_cannot_tell():
    assert reference.commune_known("38548") is None
    assert reference.epci_known(CCMV) is None
    with pytest.raises(TerritoryError, match="missing"):
        reference.commune_exists("38548")


@fixture_reference
def test_epci_known():
    assert reference.epci_known(CCMV) is True
    assert reference.epci_known("123456789") is False


def test_the_files_are_read_once_per_folder():
    reference.clear_cache()
    first = NpmReference(FIXTURE_DATA).epci(CCMV)

    assert NpmReference(FIXTURE_DATA).epci(CCMV) is first
    assert reference._npm_epcis.cache_info().misses == 1


# --- the real package, installed by dev/setup.sh --------------------------------


def test_the_installed_package_has_the_ccmv_as_the_fixture_copy_does():
    """Integration: the files dev/setup.sh installs (pinned in package.json)."""
    installed = NpmReference(reference.DEV_DATA_DIR)
    copy = NpmReference(FIXTURE_DATA)

    assert installed.description == "@etalab/decoupage-administratif 6.0.0"
    assert installed.epci(CCMV) == copy.epci(CCMV)
    assert installed.epci(PETITE_TERRE) == copy.epci(PETITE_TERRE)
    assert installed.commune_exists("38548")
    assert not installed.commune_exists("38021")
    assert installed.commune_exists("2A004")  # Ajaccio
    assert not installed.commune_exists("75101")  # an arrondissement of Paris
    assert installed.commune_exists("75056")  # Paris
    assert len(reference._npm_communes(reference.DEV_DATA_DIR)) > 34000
    assert len(reference._npm_epcis(reference.DEV_DATA_DIR)) > 1200


@pytest.mark.ckan_config("ckanext.territoire.reference_dir", "")
def test_by_default_the_package_installed_by_the_setup_is_read():
    assert reference.data_dir() == reference.DEV_DATA_DIR
    assert reference.load_epci(CCMV).name == "CC du Massif du Vercors"


# --- geo.api.gouv.fr --------------------------------------------------------------


@pytest.mark.usefixtures("geo_api")
def test_geo_api_gives_the_epci_and_the_communes_it_lists():
    epci = reference.load_epci(CCMV)

    assert (epci.siren, epci.name, epci.kind, epci.population) == (
        CCMV,
        "CC du Massif du Vercors",
        "CC",
        11997,  # geo.api.gouv.fr only has the population municipale
    )
    assert epci.members == (
        Commune("38548", "213805484", "Villard-de-Lans", 4365),
        Commune("38153", "213801533", "Engins", 429),
    )


def test_geo_api_asks_for_an_epci_once(geo_api):
    source = reference.get_reference()
    assert isinstance(source, GeoApiReference)

    source.epci(CCMV)
    source.epci(CCMV)

    assert len([r for r, _ in geo_api.log if r.path == f"/epcis/{CCMV}"]) == 1


@pytest.mark.usefixtures("geo_api")
def test_geo_api_unknown_siren():
    with pytest.raises(TerritoryError) as error:
        reference.load_epci("200000000")

    assert str(error.value).startswith(
        "No EPCI with SIREN 200000000 in the reference data (geo.api.gouv.fr, "
        "http://localhost:"
    )


@pytest.mark.usefixtures("geo_api")
def test_geo_api_error_status():
    with pytest.raises(TerritoryError, match=r"unexpected answer .*HTTP 502"):
        reference.load_epci("200000001")


def test_geo_api_unreachable():
    source = GeoApiReference("http://127.0.0.1:9", timeout=2)

    with pytest.raises(TerritoryError, match="cannot be reached"):
        source.epci(CCMV)


@pytest.mark.usefixtures("geo_api")
def test_geo_api_commune_exists():
    source = reference.get_reference()

    assert source.commune_exists("38548") is True
    assert source.commune_exists("38021") is False
