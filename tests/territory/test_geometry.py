"""The communes' bounding boxes the catalogue gives as spatial coverage
(territory/geometry.py), from the file the extension ships (IGN ADMIN
EXPRESS COG): placed where the communes are, whole for a commune nouvelle
and for an EPCI, and the file rebuilt the same from official contours."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ckan.cli.cli import ckan as ckan_cli

from ckanext.opendata_territoire.territory import geometry

# Town halls (WGS 84, longitude, latitude) and Grenoble, 25 km away.
VILLARD = (5.5531, 45.0714)
CORRENCON = (5.5267, 45.0335)
SAINT_NIZIER = (5.6347, 45.1693)
LYON = (4.8357, 45.7640)


def holds(box, point) -> bool:
    west, south, east, north = box
    return west <= point[0] <= east and south <= point[1] <= north


def test_a_commune_s_box_holds_its_town_hall_and_not_its_neighbours():
    villard = geometry.bbox("38548")

    assert holds(villard, VILLARD)
    assert not holds(villard, SAINT_NIZIER)
    # About 12 km by 11 km: a commune, not a département.
    assert 0.05 < villard[2] - villard[0] < 0.3
    assert 0.05 < villard[3] - villard[1] < 0.3


def test_an_epci_s_box_is_the_union_of_its_communes():
    ccmv = geometry.bbox("243801024")

    for point in (VILLARD, CORRENCON, SAINT_NIZIER):
        assert holds(ccmv, point)
    assert not holds(ccmv, LYON)
    assert ccmv == geometry.union(
        geometry.bbox(code)
        for code in ("38548", "38225", "38205", "38433", "38153", "38129")
    )


def test_a_commune_nouvelle_covers_the_communes_it_merged():
    """Porte-des-Bonnevaux (2019) kept the code of Pommier-de-Beaurepaire,
    whose box alone the 2018 file gives; Arzay, Commelle and Nantoin joined."""
    boxes = geometry._boxes(geometry.geometry_file())
    whole = geometry.bbox("38479")

    assert whole != boxes["38479"]
    for merged in ("38016", "38121", "38274", "38479"):
        assert whole == geometry.union([whole, boxes[merged]])


def test_unknown_codes_get_no_geometry():
    assert geometry.bbox("98799") is None  # Clipperton: not in ADMIN EXPRESS
    assert geometry.bbox("999999999") is None
    assert geometry.coverage(["98799"]) is None
    assert geometry.coverage([]) is None


def test_coverage_is_one_polygon_per_place_in_geojson_and_wkt():
    shape = geometry.coverage(["38548", "38153", "38548"])

    assert shape["type"] == "MultiPolygon"
    assert len(shape["coordinates"]) == 2
    west, south, east, north = geometry.bbox("38548")
    assert shape["coordinates"][0] == [
        [[west, south], [east, south], [east, north], [west, north], [west, south]]
    ]
    assert geometry.wkt((5.4648, 45.0, 5.6139, 45.1021)) == (
        "POLYGON((5.4648 45, 5.6139 45, 5.6139 45.1021, 5.4648 45.1021, 5.4648 45))"
    )


def _contours(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_the_file_is_built_from_official_contours_rounded_outwards(cli, tmp_path):
    """ADMIN EXPRESS names the code INSEE_COM, geo.api.gouv.fr and
    france-geojson `code`; a commune in two features gets the union; the
    same contours give the same bytes."""
    admin_express = _contours(
        tmp_path / "admin-express.geojson",
        [
            {
                "type": "Feature",
                "properties": {"INSEE_COM": "38548", "NOM": "Villard-de-Lans"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [[[5.46481, 45.00002], [5.61384, 45.0], [5.5, 45.10201]]]
                    ],
                },
            },
            {"type": "Feature", "properties": {"INSEE_COM": "38153"}, "geometry": None},
        ],
    )
    geo_api = _contours(
        tmp_path / "geo-api.geojson",
        [
            {
                "type": "Feature",
                "properties": {"code": "38548", "nom": "Villard-de-Lans"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[5.5, 45.05], [5.62, 45.06], [5.55, 45.08]]],
                },
            }
        ],
    )
    output = tmp_path / "boxes.csv.gz"

    result = cli.invoke(
        ckan_cli,
        [
            "territoire",
            "geometry",
            "build",
            str(admin_express),
            str(geo_api),
            "--output",
            str(output),
        ],
    )

    assert result.exit_code == 0, result.output
    assert "1 communes" in result.output
    lines = gzip.decompress(output.read_bytes()).decode().splitlines()
    assert lines == [
        "code,west,south,east,north",
        "38548,5.4648,45.0000,5.6200,45.1021",
    ]
    first = output.read_bytes()
    geometry.build([admin_express, geo_api], output)
    assert output.read_bytes() == first


def test_the_build_says_what_went_wrong(cli, tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")

    result = cli.invoke(
        ckan_cli,
        ["territoire", "geometry", "build", str(broken), "-o", str(tmp_path / "o.gz")],
    )

    assert result.exit_code != 0
    assert "broken.geojson" in result.output
