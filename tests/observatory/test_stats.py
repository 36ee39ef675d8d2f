"""The figures of the seeded territory (tests/observatory/conftest.py),
computed by hand: each contract counted once, its amount split equally
between its titulaires, modifications applied, the duplicate kept once,
unknown locality counted as unknown."""

from __future__ import annotations

import pytest
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("seeded")


def stats(**params):
    return helpers.call_action("territoire_procurement_stats", **params)


def part(figures, locality):
    return (figures[locality]["contracts"], figures[locality]["amount"])


def test_whole_territory_all_years():
    total = stats()["total"]

    assert (total["contracts"], total["amount"]) == (6, 780000)
    assert part(total, "territory") == (2.5, 280000)  # 1, half of 2, 3 (L2)
    assert part(total, "departement") == (0.5, 30000)  # half of 6 (D1)
    assert part(total, "elsewhere") == (1.5, 400000)  # half of 2, 4 (E1)
    assert part(total, "unknown") == (1.5, 70000)  # 5 (U1), half of 6 (TVA)
    assert total["territory"]["amount_share"] == round(280000 / 780000, 4)
    assert (total["small"]["contracts"], total["small"]["amount"]) == (2.5, 280000)
    assert total["size_unknown"]["amount"] == 70000
    assert total["offers_average"] == 2.2  # (1 + 3 + 2 + 1 + 4) / 5
    assert total["offers_known"] == 5
    assert total["single_offer"] == 2  # 1 and 4


def test_by_year():
    groups = {g["key"]: g for g in stats(group_by="year")["groups"]}

    assert set(groups) == {2023, 2024}
    assert (groups[2023]["contracts"], groups[2023]["amount"]) == (2, 300000)
    assert part(groups[2023], "territory") == (1.5, 200000)
    assert (groups[2024]["contracts"], groups[2024]["amount"]) == (4, 480000)
    assert part(groups[2024], "territory") == (1, 80000)


def test_by_buyer_commune():
    found = stats(group_by="commune")["groups"]
    groups = {g["key"]: g for g in found}

    assert [g["label"] for g in found] == [  # by name
        "CC du Massif du Vercors",
        "Engins",
        "Villard-de-Lans",
    ]
    assert {k: (g["contracts"], g["amount"]) for k, g in groups.items()} == {
        "engins": (3, 380000),
        "villard-de-lans": (2, 340000),
        "ccmv": (1, 60000),
    }
    assert groups["engins"]["label"] == "Engins"
    assert part(groups["villard-de-lans"], "territory") == (0, 0)


def test_by_cpv_division_and_procedure():
    by_cpv = {g["key"]: g["amount"] for g in stats(group_by="cpv")["groups"]}
    by_procedure = {
        g["key"]: g["contracts"] for g in stats(group_by="procedure")["groups"]
    }

    assert by_cpv == {"45": 180000, "71": 200000, "72": 340000, "90": 60000}
    assert by_procedure == {"Appel d'offres ouvert": 3, "Procédure adaptée": 3}


def test_filters():
    villard = stats(commune="villard-de-lans", years="2024")["total"]
    works = stats(cpv=["45"])["total"]
    adapted = stats(procedure="Procédure adaptée")["total"]

    assert (villard["contracts"], villard["amount"]) == (2, 340000)
    assert (works["contracts"], works["amount"]) == (2, 180000)
    assert (adapted["contracts"], adapted["amount"]) == (3, 220000)
    assert stats(years=[2022])["total"]["contracts"] == 0


def test_modification_gives_the_current_amount_and_titulaire():
    third = stats(commune="engins", years="2024")["total"]

    # 50,000 to D1 (Grenoble) at first; 80,000 to L2 (register) now.
    assert (third["contracts"], third["amount"]) == (1, 80000)
    assert part(third, "territory") == (1, 80000)
    assert third["departement"]["contracts"] == 0


def test_gaps_are_the_domains_without_local_winners_by_amount():
    gaps = helpers.call_action("territoire_procurement_gaps")["gaps"]

    assert [(g["key"], g["amount"]) for g in gaps] == [("72", 340000), ("90", 60000)]
    assert (
        gaps[0]["label"] == "Services informatiques : conseil, développement, internet"
    )


def test_gaps_threshold():
    gaps = helpers.call_action("territoire_procurement_gaps", max_local_share=0.5)

    # 71: half its amount won in the territory.
    assert [g["key"] for g in gaps["gaps"]] == ["72", "71", "90"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"years": "20x4"}, "years"),
        ({"commune": "nowhere"}, "commune"),
        ({"cpv": "x"}, "cpv"),
        ({"group_by": "titulaire"}, "group_by"),
    ],
)
def test_bad_input_names_the_field(params, field):
    with pytest.raises(Exception) as error:
        stats(**params)

    assert field in error.value.error_dict


def test_bad_gap_share():
    with pytest.raises(Exception) as error:
        helpers.call_action("territoire_procurement_gaps", max_local_share=2)

    assert "max_local_share" in error.value.error_dict
