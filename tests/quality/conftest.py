"""The territory of the onboarding tests (the EPCI, two communes, people in
every role) and the datasets the quality tests publish in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis
from rq import SimpleWorker

from tests.people import ROLES, headers  # noqa: F401

DESCRIPTION = (
    "Les délibérations du conseil municipal depuis 2020 : une ligne par "
    "délibération, avec sa date, son objet et le résultat du vote."
)


def user_of(place, role):
    """The user playing ``role`` in the territory fixture ``place``."""
    return None if role == "anonymous" else place["people"][role]


def context_of(place, role):
    user = user_of(place, role)
    return {"user": user["name"] if user else ""}


def complete_fields(**overrides):
    """Metadata meeting every criterion that does not depend on files."""
    return {
        "license_id": "odc-odbl",
        "personal_data": "none",
        "notes": DESCRIPTION,
        "frequency": "annual",
        "temporal_start": "2020-01-01",
        "spatial_insee": ["38153"],
        "contact_email": "mairie@engins.fr",
        **overrides,
    }


FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA_VERSIONS = {
    "deliberations": ("2.1.4", "2.1.5", "latest"),
    "subventions": ("2.1.1", "latest"),
    "budget": ("0.8.3", "latest"),
}


def fixture_file(name: str) -> bytes:
    return (FIXTURES / "files" / name).read_bytes()


@pytest.fixture
def schema_catalogue(httpserver, ckan_config, monkeypatch):
    """schema.data.gouv.fr's catalogue and the SCDL schemas, served by a local
    server the configuration points at; the Redis cache emptied."""
    base = httpserver.url_for("/").rstrip("/")
    catalogue = (FIXTURES / "schemas.json").read_text().replace("{base_url}", base)
    httpserver.expect_request("/schemas.json").respond_with_data(
        catalogue, content_type="application/json"
    )
    for name, versions in SCHEMA_VERSIONS.items():
        descriptor = (FIXTURES / "schemas" / f"{name}.schema.json").read_text()
        for version in versions:
            httpserver.expect_request(
                f"/schemas/scdl/{name}/{version}/schema.json"
            ).respond_with_data(descriptor, content_type="application/json")
    monkeypatch.setitem(
        ckan_config,
        "ckanext.territoire.schema_catalog_url",
        httpserver.url_for("/schemas.json"),
    )
    redis = connect_to_redis()
    for key in redis.scan_iter("*:territoire:schema-cache:*"):
        redis.delete(key)
    return httpserver


@pytest.fixture
def schemas_offline(schema_catalogue):
    """schema.data.gouv.fr answering nothing but errors, as on a machine
    without internet: the shipped snapshot of the SCDL schemas is used."""
    schema_catalogue.clear_all_handlers()
    schema_catalogue.expect_request("/schemas.json").respond_with_data("", status=503)
    return schema_catalogue


def run_jobs() -> int:
    """Run the queued background jobs with a real RQ worker on the real Redis
    (in this process, until the queue is empty); the number of jobs run."""
    queue = jobs.get_queue()
    count = queue.count
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    return count


@pytest.fixture
def site(httpserver, ckan_config, monkeypatch):
    """The local server standing for a commune's web site, whose files
    resources link to: on loopback here, at a public address in life, so it
    is named among the addresses the portal may request (outbound.py refuses
    loopback otherwise)."""
    monkeypatch.setitem(
        ckan_config,
        "ckanext.territoire.private_addresses_allowed",
        f"{httpserver.host}:{httpserver.port}",
    )
    return httpserver
