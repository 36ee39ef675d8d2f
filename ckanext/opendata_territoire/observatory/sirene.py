"""The SIRENE search service (recherche-entreprises.api.gouv.fr): a SIRET's
establishment commune and its firm's size category.

``GET {base}/search?q=<siret>&page=<n>&per_page=<m>`` answers
``{"results": [...], "page", "per_page", "total_pages"}``; each result is a
firm (``siren``, ``nom_complet``, ``categorie_entreprise``: PME, ETI, GE or
null) with its ``siege`` and its ``matching_etablissements``, each with
``siret``, ``commune`` (INSEE code) and ``libelle_commune``. The asked SIRET
is looked for in the results, page after page (at most MAX_PAGES): a SIRET
in no result is not found, never guessed from another establishment.

The service allows a few requests a second: :class:`Client` spaces them
(``ckanext.territoire.sirene_rate``) and, on HTTP 429, waits (Retry-After,
else one second) and asks again, up to RETRIES times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import requests

from ckanext.opendata_territoire.observatory.model import ERROR, FOUND, NOT_FOUND

MAX_PAGES = 5
PER_PAGE = 25
RETRIES = 3


@dataclass
class Answer:
    siret: str
    status: str  # FOUND, NOT_FOUND, ERROR
    name: str | None = None
    commune: str | None = None
    commune_name: str | None = None
    category: str | None = None
    error: str | None = None


class Client:
    def __init__(
        self,
        base_url: str | None = None,
        rate: float | None = None,
        timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = (
            base_url or tk.config.get("ckanext.territoire.sirene_url")
        ).rstrip("/")
        self.rate = float(rate or tk.config.get("ckanext.territoire.sirene_rate"))
        self.timeout = float(
            timeout or tk.config.get("ckanext.territoire.sirene_timeout")
        )
        self.sleep = sleep
        self.clock = clock
        self.session = requests.Session()
        self._last: float | None = None
        self.requests = 0

    def _wait_turn(self) -> None:
        if self._last is not None and self.rate > 0:
            delay = 1.0 / self.rate - (self.clock() - self._last)
            if delay > 0:
                self.sleep(delay)
        self._last = self.clock()

    def _get(self, params: dict[str, Any]) -> requests.Response:
        for attempt in range(RETRIES + 1):
            self._wait_turn()
            self.requests += 1
            response = self.session.get(
                f"{self.base_url}/search", params=params, timeout=self.timeout
            )
            if response.status_code != 429 or attempt == RETRIES:
                return response
            self.sleep(_retry_after(response))
        raise AssertionError("unreachable")

    def lookup(self, siret: str) -> Answer:
        """The establishment of ``siret``; a network failure, an HTTP error
        or an unreadable answer gives status ERROR (asked again next time)."""
        page = 1
        while True:
            try:
                response = self._get({"q": siret, "page": page, "per_page": PER_PAGE})
            except requests.RequestException as error:
                return Answer(siret, ERROR, error=type(error).__name__)
            if response.status_code == 404:
                return Answer(siret, NOT_FOUND)
            if response.status_code != 200:
                return Answer(siret, ERROR, error=f"HTTP {response.status_code}")
            try:
                data = response.json()
                results = list(data.get("results") or [])
                total_pages = int(data.get("total_pages") or 1)
            except (ValueError, TypeError, AttributeError):
                return Answer(siret, ERROR, error="unreadable answer")
            for result in results:
                found = _establishment(result, siret)
                if found is not None:
                    return found
            if page >= min(total_pages, MAX_PAGES):
                return Answer(siret, NOT_FOUND)
            page += 1


def _retry_after(response: requests.Response) -> float:
    try:
        return max(0.0, min(float(response.headers.get("Retry-After", 1)), 60.0))
    except ValueError:
        return 1.0


def _establishment(result: Any, siret: str) -> Answer | None:
    if not isinstance(result, dict):
        return None
    candidates = list(result.get("matching_etablissements") or [])
    candidates.append(result.get("siege") or {})
    for place in candidates:
        if isinstance(place, dict) and str(place.get("siret") or "") == siret:
            category = result.get("categorie_entreprise")
            return Answer(
                siret,
                FOUND,
                name=result.get("nom_complet") or result.get("nom_raison_sociale"),
                commune=str(place.get("commune") or "") or None,
                commune_name=place.get("libelle_commune") or None,
                category=str(category) if category else None,
            )
    return None
