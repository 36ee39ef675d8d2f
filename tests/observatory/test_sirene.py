"""The SIRENE search service client against a local server serving
recherche-entreprises-shaped fixtures: the establishment found among the
matching establishments, as the siège or on a later page; 404, 429 and 500
handled; requests spaced by the rate."""

from __future__ import annotations

import pytest

from ckanext.opendata_territoire.observatory.sirene import RETRIES, Client
from tests.observatory.conftest import D1, E1, L1, U1


@pytest.fixture
def client(sirene):
    return Client(base_url=sirene.url, rate=1000, timeout=5, sleep=lambda s: None)


def test_establishment_among_the_matching_ones(client):
    answer = client.lookup(L1)

    assert (answer.status, answer.commune, answer.commune_name, answer.category) == (
        "found",
        "38153",  # the establishment's commune, not the siège's (Grenoble)
        "ENGINS",
        "PME",
    )
    assert answer.name == "MENUISERIE DES 4 MONTAGNES"


def test_establishment_that_is_the_siege(client):
    answer = client.lookup(E1)

    assert (answer.status, answer.commune, answer.category) == ("found", "69123", "GE")


def test_establishment_on_the_second_page(client, sirene):
    answer = client.lookup(D1)

    assert (answer.status, answer.commune, answer.category) == ("found", "38185", "ETI")
    assert sirene.requests == [(D1, 1), (D1, 2)]


def test_unknown_siret_is_not_found_never_guessed(client):
    assert client.lookup(U1).status == "not_found"  # HTTP 404
    assert client.lookup("66666666600066").status == "not_found"  # no result


def test_too_many_requests_waits_and_asks_again(sirene):
    waits = []
    client = Client(base_url=sirene.url, rate=1000, timeout=5, sleep=waits.append)
    sirene.failures[L1] = [429, 429]

    answer = client.lookup(L1)

    assert answer.status == "found"
    assert sirene.requests == [(L1, 1)] * 3
    assert 0.0 in waits  # the server's Retry-After: 0


def test_too_many_requests_for_too_long_is_an_error(client, sirene):
    sirene.failures[L1] = [429] * (RETRIES + 1)

    answer = client.lookup(L1)

    assert (answer.status, answer.error) == ("error", "HTTP 429")


def test_server_error_is_an_error(client, sirene):
    sirene.failures[E1] = [500]

    answer = client.lookup(E1)

    assert (answer.status, answer.error) == ("error", "HTTP 500")


def test_unreachable_service_is_an_error():
    client = Client(base_url="http://127.0.0.1:9", rate=1000, timeout=2)

    assert client.lookup(L1).status == "error"


def test_requests_are_spaced_by_the_rate(sirene):
    now = [100.0]
    waits = []

    def sleep(seconds):
        waits.append(round(seconds, 3))
        now[0] += seconds

    client = Client(
        base_url=sirene.url, rate=4, timeout=5, sleep=sleep, clock=lambda: now[0]
    )

    client.lookup(L1)
    client.lookup(E1)
    now[0] += 0.1
    client.lookup(L1)

    assert waits == [0.25, 0.15]
