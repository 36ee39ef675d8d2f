"""Requests made on a user's behalf reach public addresses only
(ckanext/opendata_territoire/outbound.py): a resource link, a harvest
source's URL and whatever they redirect to. "Internal" here is a real HTTP
server of the test on 127.0.0.1 that records every request it receives: a
refusal means it received none."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from ckan.tests import helpers

from ckanext.opendata_territoire import outbound
from tests.people import headers
from tests.quality.conftest import complete_fields, run_jobs


class InternalService:
    """An HTTP server on 127.0.0.1 standing for a service of the portal's
    network (the portal itself, a database's admin page, a cloud's metadata
    service); it answers 200 and records the paths asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.paths.append(self.path)
                body = b"secret;value\nadmin;hunter2\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def internal() -> Iterator[InternalService]:
    service = InternalService()
    yield service
    service.close()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata services
        "100.64.0.1",  # shared address space (carrier NAT)
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",  # IPv4 loopback written as IPv6
        "::ffff:169.254.169.254",
    ],
)
def test_internal_addresses_are_refused(address):
    assert not outbound.address_allowed("example.org", 80, address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert outbound.address_allowed("example.org", 443, address)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_url_to_an_internal_address_is_refused_before_any_request(internal, host):
    with pytest.raises(outbound.AddressRefused, match="publique"):
        outbound.get(internal.url("/admin", host), timeout=5)

    assert internal.paths == []


def test_a_redirect_to_an_internal_address_is_refused(
    internal, httpserver, ckan_config, monkeypatch
):
    # A service the configuration names may be local (data.gouv.fr's stand-in
    # here); where it redirects is checked again.
    monkeypatch.setitem(
        ckan_config, "ckanext.territoire.datagouv_url", httpserver.url_for("/")
    )
    httpserver.expect_request("/datasets/decp.json").respond_with_data(
        "", status=302, headers={"Location": internal.url("/latest/meta-data/")}
    )

    with pytest.raises(outbound.AddressRefused):
        outbound.get(httpserver.url_for("/datasets/decp.json"), timeout=5)

    assert internal.paths == []


def test_an_intranet_named_in_the_configuration_is_reached(
    internal, ckan_config, monkeypatch
):
    monkeypatch.setitem(
        ckan_config, "ckanext.territoire.private_addresses_allowed", "127.0.0.0/8"
    )

    response = outbound.get(internal.url("/decp.json"), timeout=5)

    assert response.status_code == 200
    assert internal.paths == ["/decp.json"]


def test_an_intranet_host_and_port_named_in_the_configuration_is_reached(
    internal, ckan_config, monkeypatch
):
    monkeypatch.setitem(
        ckan_config,
        "ckanext.territoire.private_addresses_allowed",
        f"intranet.example 127.0.0.1:{internal.port}",
    )

    assert outbound.get(internal.url("/decp.json"), timeout=5).status_code == 200
    with pytest.raises(outbound.AddressRefused):
        outbound.get(f"http://127.0.0.1:{internal.port + 1}/", timeout=5)


def test_a_refusal_is_a_connection_error_for_every_caller():
    assert issubclass(outbound.AddressRefused, requests.ConnectionError)


@pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues")
def test_a_resource_link_to_an_internal_address_is_not_fetched(
    app, territory, internal
):
    """A commune editor's link to the portal's own network: the validation
    job requests nothing, and what it says tells nothing of the service."""
    editor = {"user": territory["people"]["editor_a"]["name"]}
    dataset = helpers.call_action(
        "package_create",
        context=editor,
        owner_org=territory["a"]["id"],
        name="deliberations",
        title="Délibérations",
        **complete_fields(schema_name="scdl/deliberations"),
    )
    resource = helpers.call_action(
        "resource_create",
        context=editor,
        package_id=dataset["id"],
        url=internal.url("/api/3/action/user_list"),
        format="CSV",
    )

    run_jobs()

    validation = app.post(
        "/api/3/action/territoire_validation_show", json={"id": resource["id"]}
    ).json["result"]
    assert internal.paths == []
    assert validation["reachable"] is False
    assert validation["reason"] == "refused"
    assert "adresse interne" in validation["message"]


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/api/3/action/user_list",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/decp.json",
        "http://[::1]:8983/solr/",
    ],
)
def test_a_harvest_source_to_an_internal_address_is_refused(app, territory, url):
    response = app.post(
        "/api/3/action/harvest_source_create",
        json={
            "name": "decp-interne",
            "title": "DECP",
            "url": url,
            "source_type": "decp",
            "owner_org": "ccmv",
        },
        headers=headers(territory["people"]["epci_admin"]),
    )

    assert response.status_code == 409, response.body
    assert "url" in response.json["error"]
    assert "publique" in " ".join(response.json["error"]["url"])
