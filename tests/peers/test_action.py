"""`territoire_procurement_peers`: the CCMV among its peers, each figure
checked against the direct computation (tests/peers/national.py); anyone
may call it; the CSV export in French."""

from __future__ import annotations

import csv
import io
import statistics

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from ckanext.opendata_territoire.peers import compute, refresh
from ckanext.opendata_territoire.territory import reference
from tests.peers.national import direct_figures

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def refreshed(national):
    path, epcis = national
    refresh.refresh(str(path))
    return path, epcis


def share(sums, part, whole):
    return sums.get(part, 0) / sums[whole] if sums.get(whole) else None


def test_the_figures_are_those_of_the_direct_computation(refreshed):
    path, epcis = refreshed
    direct = direct_figures(str(path), epcis)
    all_epcis = reference.all_epcis()
    ccmv = all_epcis["243801024"]
    peers = {
        e.siren
        for e in all_epcis.values()
        if e.kind == "CC"
        and e.siren != ccmv.siren
        and ccmv.population / 2 <= (e.population or 0) <= ccmv.population * 2
    }

    result = helpers.call_action("territoire_procurement_peers", years="2023")

    assert result["available"] is True
    assert result["epci"]["siren"] == "243801024"
    assert result["rule"] == {
        "kind": "CC",
        "population_ratio": 2.0,
        "population_min": round(ccmv.population / 2),
        "population_max": round(ccmv.population * 2),
    }
    assert result["peers_total"] == len(peers)
    with_data = {s for s, y, c in direct if y == 2023 and c == "" and s in peers}
    assert result["peers_with_data"] == len(with_data) == 12
    assert result["national_epcis"] == len(epcis)
    found = {f["key"]: f for f in result["figures"]}
    own = direct[("243801024", 2023, "")]
    peer_sums = [direct[(s, 2023, "")] for s in with_data]
    national = [v for (s, y, c), v in direct.items() if y == 2023 and c == ""]
    for key, part, whole in (
        ("territory_amount_share", "territory_amount", "amount"),
        ("territory_contracts_share", "territory_contracts", "contracts"),
        ("departement_amount_share", "departement_amount", "amount"),
        ("small_contracts_share", "small_contracts", "contracts"),
        ("single_offer_share", "single_offer", "offers_known"),
    ):
        value = share(own, part, whole)
        values = [
            v for v in (share(p, part, whole) for p in peer_sums) if v is not None
        ]
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        figure = found[key]
        assert figure["value"] == pytest.approx(value, abs=1e-4), key
        assert figure["rank"] == 1 + sum(v > value for v in values), key
        assert figure["ranked"] == len(values) + 1
        assert figure["peers_median"] == pytest.approx(median, abs=1e-4), key
        assert figure["peers_q1"] == pytest.approx(q1, abs=1e-4), key
        assert figure["peers_q3"] == pytest.approx(q3, abs=1e-4), key
        everyone = [
            v for v in (share(n, part, whole) for n in national) if v is not None
        ]
        assert figure["national_median"] == pytest.approx(
            statistics.median(everyone), abs=1e-4
        )
    assert found["contracts"]["value"] == pytest.approx(own["contracts"], abs=1e-4)


def test_years_and_divisions_add_up_the_stored_rows(refreshed):
    path, epcis = refreshed
    direct = direct_figures(str(path), epcis)

    result = helpers.call_action(
        "territoire_procurement_peers", years="2022,2023", cpv=["45000000", "72"]
    )

    expected = sum(
        direct.get(("243801024", year, division), {}).get("contracts", 0)
        for year in (2022, 2023)
        for division in ("45", "72")
    )
    assert result["filters"] == {"years": [2022, 2023], "cpv": ["45", "72"]}
    assert result["epci"]["contracts"] == pytest.approx(expected, abs=0.01)


def test_bad_parameters_are_validation_errors(refreshed):
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territoire_procurement_peers", years="20x4")
    assert "years" in error.value.error_dict
    with pytest.raises(tk.ValidationError):
        helpers.call_action("territoire_procurement_peers", cpv="4")


def test_before_any_refresh_nothing_is_available():
    result = helpers.call_action("territoire_procurement_peers")

    assert result["available"] is False
    assert result["peers_with_data"] == 0
    assert all(f["value"] is None for f in result["figures"])
    assert result["peers_total"] > 100  # the rule still says who the peers are


def test_anyone_may_read_it(app, refreshed):
    assert helpers.call_auth(
        "territoire_procurement_peers", {"user": None, "model": None}, **{}
    )
    response = app.get("/api/3/action/territoire_procurement_peers?years=2024")
    assert response.status_code == 200
    assert response.json["result"]["available"] is True


def test_csv_export_in_french(app, refreshed):
    response = app.get("/observatory/peers.csv?years=2023")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="observatoire-pairs-243801024-annees-2023.csv"'
    )
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["indicateur", "libelle", "valeur", "rang"]
    assert rows[0][-2:] == ["mediane_nationale", "epci_nationaux"]
    by_key = {row[0]: row for row in rows[1:]}
    assert by_key["territory_amount_share"][1] == (
        "Part du montant remportée par les entreprises du territoire"
    )
    assert "," in by_key["territory_amount_share"][2]  # a decimal comma
    assert len(rows) == 1 + len(
        helpers.call_action("territoire_procurement_peers")["figures"]
    )
    international = app.get("/observatory/peers.csv?separateur=virgule")
    assert international.get_data(as_text=True).startswith("indicateur,libelle")
    assert compute.ALL_YEARS == 0
