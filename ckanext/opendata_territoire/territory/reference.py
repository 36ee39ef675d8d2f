"""Territory reference data: EPCI and their member communes, with INSEE codes,
SIRENs and populations.

Two sources, chosen by ``ckanext.territoire.reference_source``:

- ``npm`` (default): the JSON files of Etalab's npm package
  ``@etalab/decoupage-administratif`` (DGCL and INSEE data), installed by
  dev/setup.sh and by the Docker image, found in
  ``ckanext.territoire.reference_dir``;
- ``geo_api``: the geo.api.gouv.fr API at ``ckanext.territoire.geo_api_url``,
  when the package is absent or stale.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ckan.plugins.toolkit as tk
import requests

PACKAGE = "@etalab/decoupage-administratif"
# Where dev/setup.sh installs the package, relative to the repository.
DEV_DATA_DIR = (
    Path(__file__).resolve().parents[3]
    / ".dev"
    / "node"
    / "node_modules"
    / PACKAGE
    / "data"
)


class TerritoryError(Exception):
    """The reference data cannot answer: unknown code, missing files, service
    down. The message says what to do."""


@dataclass(frozen=True)
class Commune:
    insee: str
    siren: str
    name: str
    population: int | None = None


@dataclass(frozen=True)
class Epci:
    siren: str
    name: str
    kind: str
    population: int | None
    members: tuple[Commune, ...]


class Reference(Protocol):
    def epci(self, siren: str) -> Epci: ...

    def commune_exists(self, insee: str) -> bool: ...


class NpmReference:
    """The JSON files of @etalab/decoupage-administratif (read once, ~0.2 s)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def epci(self, siren: str) -> Epci:
        entry = _npm_epcis(self.data_dir).get(siren)
        if entry is None:
            raise TerritoryError(
                f"No EPCI with SIREN {siren} in the reference data "
                f"({PACKAGE} {_npm_version(self.data_dir)}): check the SIREN of "
                "the intercommunality (9 digits, eg. 243801024)."
            )
        return Epci(
            siren=entry["code"],
            name=entry["nom"],
            kind=entry.get("type", ""),
            population=entry.get("populationTotale"),
            members=tuple(
                Commune(
                    insee=member["code"],
                    siren=member["siren"],
                    name=member["nom"],
                    population=member.get("populationTotale"),
                )
                for member in entry["membres"]
            ),
        )

    def commune_exists(self, insee: str) -> bool:
        return insee in _npm_communes(self.data_dir)


def _read(data_dir: Path, name: str) -> Any:
    path = data_dir / name
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise TerritoryError(
            f"The territory reference data is missing ({path}): run dev/setup.sh, "
            f"which installs the npm package {PACKAGE}, or point "
            "ckanext.territoire.reference_dir at its data/ folder."
        ) from None


@functools.cache
def _npm_epcis(data_dir: Path) -> dict[str, dict[str, Any]]:
    return {entry["code"]: entry for entry in _read(data_dir, "epci.json")}


@functools.cache
def _npm_communes(data_dir: Path) -> frozenset[str]:
    return frozenset(
        entry["code"]
        for entry in _read(data_dir, "communes.json")
        if entry.get("type") == "commune-actuelle"
    )


@functools.cache
def _npm_version(data_dir: Path) -> str:
    try:
        package = json.loads((data_dir.parent / "package.json").read_text())
    except (OSError, ValueError):
        return "unknown version"
    return package.get("version", "unknown version")


class GeoApiReference:
    """geo.api.gouv.fr: ``/epcis/{siren}`` and ``/epcis/{siren}/communes``."""

    def __init__(self, base_url: str, timeout: float = 20) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _get(self, path: str, **params: str) -> Any:
        url = f"{self.base_url}{path}"
        try:
            response = requests.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise TerritoryError(
                f"geo.api.gouv.fr is unreachable ({url}): {error}"
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise TerritoryError(
                f"geo.api.gouv.fr answered HTTP {response.status_code} for {url}"
            )
        return response.json()

    def epci(self, siren: str) -> Epci:
        entry = self._get(f"/epcis/{siren}", fields="nom,code,population")
        if not entry:
            raise TerritoryError(
                f"No EPCI with SIREN {siren} on geo.api.gouv.fr: check the SIREN "
                "of the intercommunality (9 digits, eg. 243801024)."
            )
        communes = (
            self._get(f"/epcis/{siren}/communes", fields="nom,code,siren,population")
            or []
        )
        return Epci(
            siren=entry["code"],
            name=entry["nom"],
            kind="",
            population=entry.get("population"),
            members=tuple(
                Commune(
                    insee=c["code"],
                    siren=c.get("siren", ""),
                    name=c["nom"],
                    population=c.get("population"),
                )
                for c in communes
            ),
        )

    def commune_exists(self, insee: str) -> bool:
        return bool(self._get(f"/communes/{insee}", fields="code"))


def commune_known(insee: str) -> bool | None:
    """Whether a current commune has this INSEE code, or None when the local
    reference data is not there to tell (validation then checks the format
    only; the geo.api source is never called from a validator)."""
    directory = data_dir()
    if not (directory / "communes.json").exists():
        return None
    return insee in _npm_communes(directory)


def data_dir() -> Path:
    configured = tk.config.get("ckanext.territoire.reference_dir")
    return Path(configured) if configured else DEV_DATA_DIR


def get_reference() -> Reference:
    """The reference source the configuration chooses."""
    source = tk.config.get("ckanext.territoire.reference_source")
    if source == "geo_api":
        return GeoApiReference(tk.config.get("ckanext.territoire.geo_api_url"))
    return NpmReference(data_dir())
