"""data.gouv.fr-shaped API answers for the udata harvester's tests, served
by the local server of tests/decp/fake_datagouv.py: an organization and its
datasets page by page (API v1), single datasets, organizations with their
SIREN (business_number_id)."""

from __future__ import annotations

import copy
from typing import Any

from tests.decp.fake_datagouv import FakeDataGouv

VILLARD_ORG = {
    "id": "534fff8ea3a7292c64a77f02",
    "name": "Commune de Villard-de-Lans",
    "slug": "commune-de-villard-de-lans",
}
ENGINS_ORG = {
    "id": "5a1c2b3d4e5f60718293a4b5",
    "name": "Commune d'Engins",
    "slug": "commune-d-engins",
}


def udata_dataset(number: int, org: dict | None = None, **overrides: Any) -> dict:
    """A dataset as data.gouv.fr's API v1 gives it, with one CSV resource."""
    remote_id = f"64a0{number:020d}"
    slug = overrides.pop("slug", f"jeu-de-donnees-{number}")
    dataset: dict[str, Any] = {
        "id": remote_id,
        "slug": slug,
        "title": f"Jeu de données {number}",
        "acronym": None,
        "description": f"Description **Markdown** du jeu {number}.",
        "created_at": "2023-03-01T10:00:00.000000+00:00",
        "last_modified": "2024-05-02T09:30:00.000000+00:00",
        "last_update": "2024-05-02T09:30:00.000000+00:00",
        "deleted": None,
        "archived": None,
        "private": False,
        "page": f"https://www.data.gouv.fr/fr/datasets/{slug}/",
        "uri": f"https://www.data.gouv.fr/api/1/datasets/{remote_id}/",
        "license": "lov2",
        "frequency": "weekly",
        "temporal_coverage": {"start": "2024-01-01", "end": "2024-12-31"},
        "spatial": {"zones": ["fr:commune:38548"], "granularity": "fr:commune"},
        "tags": ["cantine", "menus"],
        "organization": dict(org or VILLARD_ORG),
        "owner": None,
        "schema": None,
        "contact_points": [],
        "harvest": None,
        "extras": {},
        "metrics": {"views": 10 * number, "followers": 0},
        "quality": {"score": 0.5},
        "resources": [
            {
                "id": f"0000000{number}-aaaa-4bbb-8ccc-000000000001",
                "title": f"donnees-{number}.csv",
                "description": "Le fichier",
                "filetype": "remote",
                "type": "main",
                "format": "CSV",
                "url": f"https://static.data.gouv.fr/resources/{slug}/donnees.csv",
                "latest": f"https://www.data.gouv.fr/fr/datasets/r/0000000{number}",
                "checksum": {
                    "type": "sha1",
                    "value": f"{number:040x}",
                },
                "filesize": 2048,
                "mime": "text/csv",
                "created_at": "2023-03-01T10:00:00.000000+00:00",
                "last_modified": "2024-05-02T09:30:00.000000+00:00",
                "schema": None,
                "metrics": {"views": number},
            }
        ],
    }
    dataset.update(overrides)
    return dataset


def organization(
    fake: FakeDataGouv, org: dict, siren: str | None, pages: list[list[dict]], size: int
) -> None:
    """The organization's description and the API v1 pages of its datasets
    (asked with ``page_size=size``)."""
    describe(fake, org, siren)
    path = f"/api/1/organizations/{org['slug']}/datasets/"
    for number, page in enumerate(pages, start=1):
        following = (
            f"{fake.url}{path}?page={number + 1}&page_size={size}"
            if number < len(pages)
            else None
        )
        fake.json(
            f"{path}?page={number}&page_size={size}",
            {
                "data": copy.deepcopy(page),
                "page": number,
                "page_size": size,
                "total": sum(len(p) for p in pages),
                "next_page": following,
                "previous_page": None,
            },
        )


def describe(fake: FakeDataGouv, org: dict, siren: str | None) -> None:
    """The organization's API v1 page, with its SIRET (or none)."""
    fake.json(
        f"/api/1/organizations/{org['id']}/",
        {**org, "business_number_id": siren and f"{siren}00017"},
    )


def dataset(fake: FakeDataGouv, data: dict, *names: str) -> None:
    """The dataset's API v1 page, by id (and by the other names given)."""
    for name in (data["id"], *names):
        fake.json(f"/api/1/datasets/{name}/", copy.deepcopy(data))
