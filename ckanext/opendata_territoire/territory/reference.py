"""Territory reference data: EPCI and their member communes, with INSEE codes,
SIRENs and populations.

Two sources, chosen by ``ckanext.territoire.reference_source``:

- ``npm`` (default): the JSON files of Etalab's npm package
  ``@etalab/decoupage-administratif`` (DGCL and INSEE data), installed by
  dev/setup.sh and by the Docker image, found in
  ``ckanext.territoire.reference_dir``;
- ``geo_api``: the geo.api.gouv.fr API at ``ckanext.territoire.geo_api_url``
  (built from the same package), when the local files are absent or stale.

Populations: the npm source gives the *population totale* of the DGCL
(``populationTotale``), the figure the law refers to unless it says otherwise
(CGCT, art. R. 2151-1); geo.api.gouv.fr only publishes the *population
municipale*, a little lower.

The files are read once per folder, when first needed, and kept indexed by
code: ``epci.json`` (3.8 MB) as :class:`Epci` objects (0.1 s; 23 MB at the
peak, 10 MB kept), ``communes.json`` (8.3 MB) as the set of the codes of the
current communes (0.2 to 0.3 s; 46 MB at the peak, 4 MB kept).
"""

from __future__ import annotations

import functools
import json
import re
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
SOURCES = ("npm", "geo_api")
GEO_API_TIMEOUT = 20  # seconds


class TerritoryError(Exception):
    """The reference data cannot answer: unknown or malformed code, missing
    files, service down. The message says what to do."""


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    siren: str
    name: str
    population: int | None = None


@dataclass(frozen=True, slots=True)
class Epci:
    siren: str
    name: str
    kind: str  # CC, CA, CU, METRO, MET69 (npm source only)
    population: int | None
    members: tuple[Commune, ...]


class Reference(Protocol):
    @property
    def description(self) -> str:
        """Where the data comes from, for messages and summaries."""
        ...

    def epci(self, siren: str) -> Epci: ...

    def commune_exists(self, insee: str) -> bool: ...


def check_siren(value: str) -> str:
    """The SIREN of an EPCI, spaces removed; TerritoryError if it is not made
    of 9 digits."""
    siren = re.sub(r"\s", "", str(value or ""))
    if not re.fullmatch(r"\d{9}", siren):
        raise TerritoryError(
            tk._(
                '"{value}" is not a SIREN: the SIREN of an EPCI has 9 digits, '
                "eg. 243801024."
            ).format(value=value)
        )
    return siren


def _unknown_epci(siren: str, source: str) -> TerritoryError:
    return TerritoryError(
        tk._(
            "No EPCI with SIREN {siren} in the reference data ({source}): check "
            "the SIREN of the intercommunality (9 digits, eg. 243801024)."
        ).format(siren=siren, source=source)
    )


# --- npm: the files of @etalab/decoupage-administratif -----------------------


class NpmReference:
    """The JSON files of @etalab/decoupage-administratif in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    @property
    def description(self) -> str:
        return f"{PACKAGE} {_npm_version(self.data_dir)}"

    def epci(self, siren: str) -> Epci:
        siren = check_siren(siren)
        epci = _npm_epcis(self.data_dir).get(siren)
        if epci is None:
            raise _unknown_epci(siren, self.description)
        return epci

    def commune_exists(self, insee: str) -> bool:
        return insee.strip().upper() in _npm_communes(self.data_dir)

    def epci_exists(self, siren: str) -> bool:
        return siren in _npm_epcis(self.data_dir)


def _read(data_dir: Path, name: str) -> Any:
    path = data_dir / name
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise TerritoryError(
            tk._(
                "The territory reference data is missing ({path}): run "
                "dev/setup.sh, which installs the npm package {package}, or set "
                "ckanext.territoire.reference_dir to the data/ folder of that "
                "package."
            ).format(path=path, package=PACKAGE)
        ) from None
    except (OSError, ValueError) as error:
        raise TerritoryError(
            tk._(
                "The territory reference data cannot be read ({path}): {error}. "
                "Reinstall the npm package {package} (dev/setup.sh)."
            ).format(path=path, error=error, package=PACKAGE)
        ) from None


def _population(entry: dict[str, Any]) -> int | None:
    value = entry.get("populationTotale", entry.get("population"))
    return value if isinstance(value, int) else None


def _epci(entry: dict[str, Any], members: list[dict[str, Any]]) -> Epci:
    """An EPCI from its record and its members' records, which both sources
    (npm files and geo.api.gouv.fr) write with the same keys."""
    return Epci(
        siren=entry["code"],
        name=entry["nom"],
        kind=entry.get("type", ""),
        population=_population(entry),
        members=tuple(
            Commune(
                insee=member["code"],
                siren=member.get("siren", ""),
                name=member["nom"],
                population=_population(member),
            )
            for member in members
        ),
    )


@functools.cache
def _npm_epcis(data_dir: Path) -> dict[str, Epci]:
    """Every EPCI of epci.json by SIREN, as immutable objects (the raw dicts
    are dropped: 10 MB kept instead of 15)."""
    try:
        return {
            entry["code"]: _epci(entry, entry.get("membres", []))
            for entry in _read(data_dir, "epci.json")
        }
    except (KeyError, TypeError) as error:
        raise TerritoryError(
            tk._(
                "The territory reference data cannot be read ({path}): {error}. "
                "Reinstall the npm package {package} (dev/setup.sh)."
            ).format(
                path=data_dir / "epci.json",
                error=f"unexpected format ({error!r})",
                package=PACKAGE,
            )
        ) from None


@functools.cache
def _npm_communes(data_dir: Path) -> frozenset[str]:
    """The INSEE codes of the current communes (``commune-actuelle``): not the
    delegated or associated communes of a commune nouvelle (Autrans, 38021),
    nor the municipal arrondissements of Paris, Lyon and Marseille."""
    return frozenset(
        entry["code"]
        for entry in _read(data_dir, "communes.json")
        if entry.get("type") == "commune-actuelle"
    )


@functools.cache
def _npm_version(data_dir: Path) -> str:
    try:
        package = json.loads((data_dir.parent / "package.json").read_text("utf-8"))
        return str(package["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return "(unknown version)"


def clear_cache() -> None:
    """Forget the files read (after the package was upgraded in place)."""
    _npm_epcis.cache_clear()
    _npm_communes.cache_clear()
    _npm_version.cache_clear()


# --- geo.api.gouv.fr ----------------------------------------------------------


class GeoApiReference:
    """geo.api.gouv.fr: ``/epcis/{siren}``, ``/epcis/{siren}/communes`` (the
    current communes of the EPCI) and ``/communes/{insee}``. An EPCI is asked
    for once per instance."""

    def __init__(self, base_url: str, timeout: float = GEO_API_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._epcis: dict[str, Epci] = {}

    @property
    def description(self) -> str:
        return f"geo.api.gouv.fr, {self.base_url}"

    def _get(self, path: str, **params: str) -> Any:
        """The decoded JSON answer, or None for a 404."""
        url = f"{self.base_url}{path}"
        try:
            response = requests.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise TerritoryError(
                tk._(
                    "geo.api.gouv.fr cannot be reached ({url}): {error}. Try again "
                    "later, or use the npm reference data "
                    "(ckanext.territoire.reference_source = npm)."
                ).format(url=url, error=error)
            ) from None
        if response.status_code == 404:
            return None
        try:
            if response.status_code != 200:
                raise ValueError(f"HTTP {response.status_code}")
            return response.json()
        except ValueError as error:
            raise TerritoryError(
                tk._(
                    "geo.api.gouv.fr gave an unexpected answer for {url}: {error}."
                ).format(url=url, error=error)
            ) from None

    def epci(self, siren: str) -> Epci:
        siren = check_siren(siren)
        if siren not in self._epcis:
            self._epcis[siren] = self._fetch_epci(siren)
        return self._epcis[siren]

    def _fetch_epci(self, siren: str) -> Epci:
        entry = self._get(f"/epcis/{siren}", fields="nom,code,type,population")
        if not isinstance(entry, dict):
            raise _unknown_epci(siren, self.description)
        communes = self._get(
            f"/epcis/{siren}/communes",
            fields="nom,code,siren,population,codeDepartement",
        )
        try:
            return _epci(entry, communes or [])
        except (KeyError, TypeError) as error:
            raise TerritoryError(
                tk._(
                    "geo.api.gouv.fr gave an unexpected answer for {url}: {error}."
                ).format(url=f"{self.base_url}/epcis/{siren}", error=repr(error))
            ) from None

    def commune_exists(self, insee: str) -> bool:
        return bool(self._get(f"/communes/{insee.strip().upper()}", fields="code"))


# --- What the rest of the extension calls ---------------------------------------


def data_dir() -> Path:
    """The data/ folder of @etalab/decoupage-administratif."""
    configured = tk.config.get("ckanext.territoire.reference_dir")
    return Path(configured) if configured else DEV_DATA_DIR


def get_reference() -> Reference:
    """The reference source the configuration chooses."""
    source = tk.config.get("ckanext.territoire.reference_source") or "npm"
    if source == "geo_api":
        return GeoApiReference(tk.config.get("ckanext.territoire.geo_api_url"))
    if source == "npm":
        return NpmReference(data_dir())
    raise TerritoryError(
        tk._(
            'ckanext.territoire.reference_source is "{value}": it must be npm or '
            "geo_api."
        ).format(value=source)
    )


def load_epci(siren: str) -> Epci:
    """The EPCI with this SIREN and its member communes, from the configured
    source. TerritoryError (with what to do) when it cannot answer."""
    return get_reference().epci(siren)


def commune_exists(insee: str) -> bool:
    """Whether a current commune has this INSEE code, from the local files
    (never from the network). TerritoryError when the files are missing."""
    return NpmReference(data_dir()).commune_exists(insee)


def all_epcis() -> dict[str, Epci]:
    """Every EPCI of France by SIREN, from the local npm files whatever the
    source (geo.api.gouv.fr answers one EPCI at a time): the peers'
    comparison. TerritoryError when the files are missing."""
    return _npm_epcis(data_dir())


def commune_known(insee: str) -> bool | None:
    """Whether a current commune has this INSEE code, or None when the local
    reference data is not there to tell: what validators call (they then check
    the code's form only; they never call geo.api.gouv.fr)."""
    directory = data_dir()
    if not (directory / "communes.json").is_file():
        return None
    try:
        return commune_exists(insee)
    except TerritoryError:
        return None


def epci_known(siren: str) -> bool | None:
    """Whether an EPCI has this SIREN, or None when the local reference data is
    not there to tell (same rules as :func:`commune_known`)."""
    directory = data_dir()
    if not (directory / "epci.json").is_file():
        return None
    try:
        return NpmReference(directory).epci_exists(siren.strip())
    except TerritoryError:
        return None
