"""A commune of the Vercors, a sysadmin, and the calls of the action API as
a reuser or a publisher makes them (French under /api, English under /en)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ckan.tests import factories

FIXTURES = Path(__file__).with_name("fixtures")


def in_french_and_english(fr: str, en: str) -> list[Any]:
    """Parameters (prefix, message): French by default, English under /en."""
    return [pytest.param("", fr, id="fr"), pytest.param("/en", en, id="en")]


@pytest.fixture
def sysadmin() -> dict[str, Any]:
    return factories.SysadminWithToken()


@pytest.fixture
def headers(sysadmin) -> dict[str, str]:
    return {"Authorization": sysadmin["token"]}


@pytest.fixture
def commune() -> dict[str, Any]:
    return factories.Organization(
        name="villard-de-lans",
        title="Commune de Villard-de-Lans",
        collectivite_type="commune",
        insee_code="38548",
        siren="213805484",
    )


def dataset(org: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A public dataset of ``org`` under our schema, plus ``fields``."""
    return {
        "name": "plan-local-urbanisme",
        "title": "Plan local d'urbanisme",
        "owner_org": org["id"],
        "license_id": "lov2",
        "personal_data": "none",
        **fields,
    }


def call(app, headers, action: str, data: dict[str, Any], prefix: str = ""):
    return app.post(f"{prefix}/api/3/action/{action}", headers=headers, json=data)


def refused(app, headers, action: str, data: dict[str, Any], prefix: str = ""):
    """The validation errors of a refused call, without CKAN's `__type`."""
    response = call(app, headers, action, data, prefix)
    assert response.status_code == 409, response.body
    error = dict(response.json["error"])
    assert error.pop("__type") == "Validation Error"
    return error


def accepted(app, headers, action: str, data: dict[str, Any], prefix: str = ""):
    response = call(app, headers, action, data, prefix)
    assert response.status_code == 200, response.body
    return response.json["result"]


def shown(app, name: str, headers=None, prefix: str = "") -> dict[str, Any]:
    response = app.get(
        f"{prefix}/api/3/action/package_show",
        query_string={"id": name},
        headers=headers or {},
    )
    assert response.status_code == 200, response.body
    return response.json["result"]
