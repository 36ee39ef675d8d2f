"""The peer rule, ranks, medians and quartiles (no database)."""

from __future__ import annotations

import statistics

import pytest

from ckanext.opendata_territoire.peers import figures
from ckanext.opendata_territoire.territory.reference import Epci


def epci(siren, kind, population):
    return Epci(siren=siren, name=siren, kind=kind, population=population, members=())


def test_peers_are_of_the_same_kind_and_a_population_within_the_ratio():
    own = epci("1", "CC", 10_000)
    others = {
        e.siren: e
        for e in [
            own,
            epci("2", "CC", 5_000),  # half: in
            epci("3", "CC", 20_000),  # twice: in
            epci("4", "CC", 4_999),  # out
            epci("5", "CC", 20_001),  # out
            epci("6", "CA", 10_000),  # another kind
            epci("7", "CC", None),  # population unknown
        ]
    }

    assert sorted(p.siren for p in figures.peers_of(own, others, 2)) == ["2", "3"]
    assert sorted(p.siren for p in figures.peers_of(own, others, 2.5)) == [
        "2",
        "3",
        "4",
        "5",
    ]


def test_the_metropole_de_lyon_is_a_metropole():
    lyon = epci("1", "MET69", 1_400_000)
    others = {"1": lyon, "2": epci("2", "METRO", 1_000_000)}

    assert [p.siren for p in figures.peers_of(lyon, others, 2)] == ["2"]


def test_the_population_ratio_comes_from_the_configuration(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.territoire.peers.population_ratio", "3")
    assert figures.population_ratio() == 3
    monkeypatch.setitem(ckan_config, "ckanext.territoire.peers.population_ratio", "x")
    assert figures.population_ratio() == figures.DEFAULT_RATIO


def test_rank_median_and_quartiles():
    own = {"contracts": 10.0, "amount": 100.0, "territory_amount": 30.0}
    peers = [
        {"contracts": 5.0, "amount": 100.0, "territory_amount": v}
        for v in (10.0, 20.0, 40.0, 50.0, 60.0)
    ]
    national = [
        own,
        *peers,
        {"contracts": 1.0, "amount": 100.0, "territory_amount": 90.0},
    ]

    found = figures.figure("territory_amount_share", own, peers, national)

    assert found["value"] == 0.3
    assert found["rank"] == 4  # 40, 50 and 60 % are higher
    assert found["ranked"] == 6
    assert found["peers"] == 5
    values = [0.1, 0.2, 0.4, 0.5, 0.6]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (found["peers_q1"], found["peers_median"], found["peers_q3"]) == (
        pytest.approx(q1),
        pytest.approx(median),
        pytest.approx(q3),
    )
    assert found["peers_median"] == 0.4
    assert (found["peers_min"], found["peers_max"]) == (0.1, 0.6)
    # The median of 0.1, 0.2, 0.3 (the territory), 0.4, 0.5, 0.6 and 0.9.
    assert found["national_median"] == 0.4
    assert found["national"] == 7


def test_ties_share_the_better_rank_and_missing_values_do_not_count():
    own = {"contracts": 2.0, "amount": 0.0, "single_offer": 1.0, "offers_known": 2.0}
    peers = [
        {"contracts": 2.0, "amount": 0.0, "single_offer": 1.0, "offers_known": 2.0},
        {"contracts": 2.0, "amount": 0.0, "single_offer": 0.0, "offers_known": 0.0},
    ]

    single = figures.figure("single_offer_share", own, peers, [own, *peers])
    amount = figures.figure("territory_amount_share", own, peers, [own, *peers])

    assert (single["value"], single["rank"], single["peers"]) == (0.5, 1, 1)
    assert (single["peers_q1"], single["peers_q3"]) == (0.5, 0.5)
    assert amount["value"] is None and amount["rank"] is None
    assert amount["peers"] == 0 and amount["peers_median"] is None
