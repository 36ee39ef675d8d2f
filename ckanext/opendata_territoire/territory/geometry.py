"""Where the territory lies: the bounding box of each commune, for the spatial
coverage data.gouv.fr reads (``dcat:bbox`` in the catalogue's RDF, the
``spatial`` extra for its CKAN harvester), beside the INSEE URIs.

The boxes come from official reference data the extension ships:
``data/communes-bbox.csv.gz``, one line per commune (INSEE code, west, south,
east, north in WGS 84 degrees), built by :func:`build` (``ckan territoire
geometry build``) from the communes' contours of IGN's ADMIN EXPRESS COG (see
``data/README.md`` for the edition and the licence). Another file, built the
same way from a newer edition or from geo.api.gouv.fr's contours, can be named
by ``ckanext.territoire.geometry_file``.

A commune nouvelle gets the union of its own box and those of the communes it
merged (the reference data's delegated communes), so that one created after
the file's edition is whole; an EPCI gets the union of its members' boxes. A code the
file does not know gets no geometry (the INSEE URI stays).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.opendata_territoire.territory import reference

BBox = tuple[float, float, float, float]  # west, south, east, north
SHIPPED = Path(__file__).parent / "data" / "communes-bbox.csv.gz"
HEADER = ["code", "west", "south", "east", "north"]
# 4 decimals: about 11 m, rounded outwards so that the box holds the commune.
DECIMALS = 4
# Where a commune's INSEE code sits in the properties of the contours' files:
# france-geojson and geo.api.gouv.fr (``code``), ADMIN EXPRESS (``INSEE_COM``).
CODE_KEYS = ("code", "INSEE_COM", "insee_com", "codgeo", "CODGEO")


# --- Reading -------------------------------------------------------------------


def geometry_file() -> Path:
    configured = tk.config.get("ckanext.territoire.geometry_file")
    return Path(configured) if configured else SHIPPED


@functools.lru_cache(maxsize=4)
def _boxes(path: Path) -> dict[str, BBox]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as text:
        return {
            row["code"]: (
                float(row["west"]),
                float(row["south"]),
                float(row["east"]),
                float(row["north"]),
            )
            for row in csv.DictReader(text)
        }


@functools.lru_cache(maxsize=4)
def _merged_into(data_dir: Path) -> dict[str, tuple[str, ...]]:
    """Chef-lieu code → the codes of the delegated or associated communes of
    a commune nouvelle, from @etalab/decoupage-administratif."""
    path = data_dir / "communes.json"
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as text:
        for entry in json.load(text):
            if entry.get("type") in ("commune-deleguee", "commune-associee"):
                chef = entry.get("chefLieu")
                if chef:
                    found.setdefault(chef, []).append(entry["code"])
    return {chef: tuple(codes) for chef, codes in found.items()}


def union(boxes: Iterable[BBox]) -> BBox | None:
    listed = list(boxes)
    if not listed:
        return None
    return (
        min(b[0] for b in listed),
        min(b[1] for b in listed),
        max(b[2] for b in listed),
        max(b[3] for b in listed),
    )


def commune_bbox(insee: str) -> BBox | None:
    """The commune's box, widened by the boxes of the communes it merged
    (a commune nouvelle created after the file's edition kept the code of
    one of them)."""
    boxes = _boxes(geometry_file())
    codes = (insee, *_merged_into(reference.data_dir()).get(insee, ()))
    return union(boxes[code] for code in codes if code in boxes)


def bbox(code: str) -> BBox | None:
    """The box of a commune (INSEE code) or of an EPCI (SIREN, the union of
    its members'), or None when the reference data does not know it."""
    code = str(code).strip().upper()
    if len(code) != 9:
        return commune_bbox(code)
    try:
        epci = reference.NpmReference(reference.data_dir()).epci(code)
    except reference.TerritoryError:
        return None
    return union(
        box for box in (commune_bbox(c.insee) for c in epci.members) if box is not None
    )


def ring(box: BBox) -> list[list[float]]:
    """The box as a closed ring, counter-clockwise (GeoJSON, RFC 7946)."""
    west, south, east, north = box
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def wkt(box: BBox) -> str:
    """The box as a WKT polygon, the form ``dcat:bbox`` takes in DCAT-AP and
    GeoDCAT-AP (longitude then latitude, WGS 84)."""
    return "POLYGON((" + ", ".join(f"{x:g} {y:g}" for x, y in ring(box)) + "))"


def coverage(codes: Iterable[str]) -> dict[str, Any] | None:
    """The GeoJSON MultiPolygon of the boxes of these communes or EPCI (one
    polygon each), or None when none is known."""
    polygons = []
    for code in codes:
        box = bbox(code)
        if box is not None and [ring(box)] not in polygons:
            polygons.append([ring(box)])
    if not polygons:
        return None
    return {"type": "MultiPolygon", "coordinates": polygons}


def clear_cache() -> None:
    _boxes.cache_clear()
    _merged_into.cache_clear()


# --- Building the file from official contours --------------------------------


def _points(coordinates: Any) -> Iterator[tuple[float, float]]:
    if (
        isinstance(coordinates, list)
        and len(coordinates) >= 2
        and all(isinstance(v, int | float) for v in coordinates[:2])
    ):
        yield float(coordinates[0]), float(coordinates[1])
        return
    for part in coordinates or []:
        yield from _points(part)


def feature_bbox(feature: dict[str, Any]) -> tuple[str, BBox] | None:
    """(INSEE code, box) of a GeoJSON feature of a commune, or None when it
    has no code or no coordinates."""
    properties = feature.get("properties") or {}
    code = next((properties[k] for k in CODE_KEYS if properties.get(k)), None)
    points = list(_points((feature.get("geometry") or {}).get("coordinates")))
    if not code or not points:
        return None
    scale = 10**DECIMALS
    return str(code), (
        math.floor(min(p[0] for p in points) * scale) / scale,
        math.floor(min(p[1] for p in points) * scale) / scale,
        math.ceil(max(p[0] for p in points) * scale) / scale,
        math.ceil(max(p[1] for p in points) * scale) / scale,
    )


def build(sources: Iterable[Path], output: Path) -> int:
    """Write the boxes of every commune of these GeoJSON files (feature
    collections of communes' contours in WGS 84) to ``output`` (gzipped CSV);
    a commune cut in several features gets the union. Returns the count."""
    found: dict[str, BBox] = {}
    for source in sources:
        with Path(source).open(encoding="utf-8") as text:
            try:
                collection = json.load(text)
            except ValueError as error:
                raise ValueError(f"{source}: {error}") from None
        features = (
            collection.get("features", [collection])
            if isinstance(collection, dict)
            else collection
        )
        for feature in features:
            entry = feature_bbox(feature)
            if entry is None:
                continue
            code, box = entry
            found[code] = union([found[code], box]) if code in found else box  # type: ignore[assignment]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for code in sorted(found):
        writer.writerow([code, *(f"{v:.{DECIMALS}f}" for v in found[code])])
    # mtime=0: the same contours give the same bytes.
    with (
        Path(output).open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed,
    ):
        packed.write(buffer.getvalue().encode("utf-8"))
    return len(found)
