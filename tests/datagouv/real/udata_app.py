"""What both scripts of this folder share: udata's application on an
in-memory MongoDB (mongomock), allowed to reach the loopback addresses the
tests serve on, and data.gouv.fr's licence list loaded into it. Runs in the
side virtualenv (.dev/udata-venv) only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mongomock

MONGODB = "mongodb://localhost:27017/udata"


def make_app(storage: str, **settings_: Any) -> Any:
    """udata's standalone application (API v1 and v2, models), its files
    under ``storage``, with ``settings_`` over udata's test settings."""
    from udata import settings
    from udata.app import create_app, standalone

    class Config(settings.Testing):
        MONGODB_HOST = MONGODB
        MONGODB_HOST_TEST = MONGODB
        MONGODB_SETTINGS = {
            "host": MONGODB,
            "mongo_client_class": mongomock.MongoClient,
        }
        # The tests serve on loopback.
        URLS_ALLOW_LOCAL = True
        URLS_ALLOW_PRIVATE = True
        URLS_RESOLVE_HOSTNAME = False
        FS_ROOT = storage

    for key, value in settings_.items():
        setattr(Config, key, value)
    return standalone(create_app(override=Config))


def load_licences(path: Path) -> None:
    """data.gouv.fr's licence list (its /api/1/datasets/licenses/) into
    udata's License collection, which License.guess reads."""
    from udata.core.dataset.models import License

    for entry in json.loads(path.read_text()):
        License(
            id=entry["id"],
            title=entry["title"],
            url=entry.get("url") or None,
            alternate_urls=entry.get("alternate_urls") or [],
            alternate_titles=entry.get("alternate_titles") or [],
            flags=entry.get("flags") or [],
            maintainer=entry.get("maintainer"),
        ).save()
