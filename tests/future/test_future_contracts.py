"""The action ``territoire_future_contracts`` on contracts imported like real
ones (`ckan territoire decp import`, DECP 2022 format), seen on 2025-01-01:

| # | buyer | notified | months | ends | CPV | amount | offers |
| 1 | Engins | 2024-03-01 | 24 | 2026-03-01 | 45 | 100,000 | 1 |
| 2 | Engins | 2023-03-02 | 12 → 30 (modification) | 2025-09-02 | 71 | 30,000 | 3 |
| 3 | Villard | 2022-06-03 | 48, accord-cadre | 2026-06-03 | 72 | 300,000 | 2 |
| 4 | Villard | 2024-03-04 | 120 | 2034-03-04 | 72 | 50,000 | 1 |
| 5 | Villard | 2024-03-05 | none | unknown | 72 | 40,000 | — |
| 6 | Villard | 2024-03-06 | 600 | unknown (absurd) | 90 | 60,000 | 4 |
| 7 | Engins | 2020-03-07 | 12 | 2021-03-07 (past) | 45 | 10,000 | 2 |
| 8 | CCMV | 2024-03-08 | 60 | 2029-03-08 | 90 | 5,000 | 1 |
| C | CCMV concession | runs from 2020-07-01 | 72 | 2026-07-01 | 90 | 2,000,000 |

(C: signed 2020-01-04, its start of execution counts.)
"""

from __future__ import annotations

import json

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from tests.observatory.conftest import (
    CCMV,
    ENGINS,
    L2,
    VILLARD,
    marche,
)

TODAY = "2025-01-01"
NAMED = {
    "titulaire": {
        "typeIdentifiant": "SIRET",
        "id": L2,
        "denominationSociale": "Terrassements du Vercors",
    }
}


def contract(number, buyer, notified, months, cpv, amount, offers, **more):
    record = marche(
        number,
        buyer,
        int(notified[:4]),
        cpv,
        "Procédure adaptée",
        amount,
        offers,
        [NAMED],
        **more,
    )
    record["dateNotification"] = notified
    record["objet"] = f"Objet {number}"
    if months is None:
        record.pop("dureeMois")
    else:
        record["dureeMois"] = months
    return record


def concession():
    return {
        "id": "DSP-2020",
        "autoriteConcedante": {"id": CCMV},
        "nature": "Délégation de service public",
        "objet": "Délégation du service de l'eau",
        "procedure": "Procédure négociée ouverte",
        "dureeMois": 72,
        "dateSignature": "2020-01-04",
        "datePublicationDonnees": "2020-01-14",
        "dateDebutExecution": "2020-07-01",
        "valeurGlobale": 2000000,
        "montantSubventionPublique": 0,
        "codeCPV": "90000000",
        "concessionnaires": [
            {"concessionnaire": {"typeIdentifiant": "SIRET", "id": L2}}
        ],
    }


def records():
    second = contract(2, ENGINS, "2023-03-02", 12, "71000000", 30000, 3)
    second["modifications"] = [
        {
            "modification": {
                "id": 1,
                "dateNotificationModification": "2023-12-01",
                "datePublicationDonneesModification": "2023-12-05",
                "dureeMois": 30,
            }
        }
    ]
    third = contract(3, VILLARD, "2022-06-03", 48, "72000000", 300000, 2)
    third["techniques"] = {"technique": ["Accord-cadre"]}
    return [
        contract(1, ENGINS, "2024-03-01", 24, "45233140", 100000, 1),
        second,
        third,
        contract(4, VILLARD, "2024-03-04", 120, "72500000", 50000, 1),
        contract(5, VILLARD, "2024-03-05", None, "72500000", 40000, None),
        contract(6, VILLARD, "2024-03-06", 600, "90000000", 60000, 4),
        contract(7, ENGINS, "2020-03-07", 12, "45000000", 10000, 2),
        contract(8, CCMV, "2024-03-08", 60, "90000000", 5000, 1),
    ]


@pytest.fixture
def imported(clean_datastore, with_request_context, territory, cli, sirene, tmp_path):
    path = tmp_path / "decp.json"
    path.write_text(
        json.dumps(
            {"marches": {"marche": records(), "contrat-concession": [concession()]}},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    result = cli.invoke(ckan_command, ["territoire", "decp", "import", str(path)])
    assert result.exit_code == 0, result.output
    return territory


def future(**params):
    return helpers.call_action(
        "territoire_future_contracts", **{"today": TODAY, **params}
    )


def ids(found):
    return [item["uid"][14:] for item in found["renewals"]]


def test_the_renewals_of_the_next_24_months_by_expected_end(imported):
    found = future()

    assert (found["today"], found["until"], found["months"]) == (
        TODAY,
        "2027-01-01",
        24,
    )
    assert ids(found) == ["2023-0002", "2024-0001", "2022-0003", "DSP-2020"]
    by_id = {item["uid"][14:]: item for item in found["renewals"]}
    # The modification's duration counts, not the initial one (ended 2024).
    assert by_id["2023-0002"]["expected_end"] == "2025-09-02"
    assert by_id["2023-0002"]["duration_months"] == 30
    assert by_id["2023-0002"]["quarter"] == "2025-Q3"
    first = by_id["2024-0001"]
    assert first["expected_end"] == "2026-03-01"
    assert first["quarter"] == "2026-Q1"
    assert first["estimated"] is True
    assert (first["buyer"], first["object"]) == ("engins", "Objet 1")
    assert (first["cpv_division"], first["cpv_label"]) == (
        "45",
        "Travaux de construction",
    )
    assert (first["amount"], first["amount_band"]) == (100000, "medium")
    assert (first["offers"], first["single_offer"]) == (1, True)
    assert first["titulaires"] == ["Terrassements du Vercors"]
    framework = by_id["2022-0003"]
    assert (framework["kind"], framework["expected_end"]) == (
        "framework_agreement",
        "2026-06-03",
    )
    dsp = by_id["DSP-2020"]
    assert (dsp["kind"], dsp["start"], dsp["expected_end"]) == (
        "concession",
        "2020-07-01",
        "2026-07-01",
    )
    assert dsp["amount_band"] == "very_large"


def test_the_contracts_whose_end_is_unknown_are_listed_with_the_reason(imported):
    found = future()

    assert found["unknown_count"] == 2
    assert found["unknown_reasons"] == {"no_duration": 1, "absurd_duration": 1}
    reasons = {item["uid"][14:]: item["reason"] for item in found["unknown"]}
    assert reasons == {"2024-0005": "no_duration", "2024-0006": "absurd_duration"}
    assert all("expected_end" not in item for item in found["unknown"])


def test_the_window(imported):
    assert ids(future(months=6)) == []
    assert ids(future(months=9)) == ["2023-0002"]
    assert "2024-0004" in ids(future(months=60, today="2030-01-01"))
    # Ended before today: history, not a renewal to come.
    assert "2020-0007" not in ids(future(today="2021-01-01", months=1))
    assert "2020-0007" in ids(future(today="2021-01-01", months=3))


def test_the_filters(imported):
    assert ids(future(cpv="45")) == ["2024-0001"]
    assert ids(future(cpv=["71", "90000000"])) == ["2023-0002", "DSP-2020"]
    assert ids(future(buyer="villard-de-lans")) == ["2022-0003"]
    assert future(buyer="villard-de-lans")["unknown_count"] == 2
    assert ids(future(amount_band="small")) == ["2023-0002"]
    assert ids(future(amount_band="large,very_large")) == ["2022-0003", "DSP-2020"]
    assert future(amount_band="large")["unknown_count"] == 0


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"months": 0}, "months"),
        ({"months": 61}, "months"),
        ({"months": "deux"}, "months"),
        ({"today": "demain"}, "today"),
        ({"amount_band": "huge"}, "amount_band"),
        ({"buyer": "nowhere"}, "buyer"),
        ({"cpv": "x"}, "cpv"),
    ],
)
def test_bad_parameters(imported, params, key):
    with pytest.raises(helpers.logic.ValidationError) as error:
        future(**params)
    assert key in error.value.error_dict


def test_a_private_buyer_dataset_leaves_the_list(imported):
    from ckanext.opendata_territoire.decp.publish import find_dataset

    org = helpers.call_action("organization_show", id="villard-de-lans")
    dataset = find_dataset("213805484", org["id"])
    assert dataset is not None
    site_user = helpers.call_action("get_site_user")["name"]
    helpers.call_action(
        "package_patch", context={"user": site_user}, id=dataset["id"], private=True
    )

    found = future()
    assert "2022-0003" not in ids(found)
    assert all(item["buyer"] != "villard-de-lans" for item in found["unknown"])
    assert found["unknown_count"] == 0


def test_anyone_calls_it(app, imported):
    response = app.get(
        "/api/3/action/territoire_future_contracts", query_string={"today": TODAY}
    )
    assert response.status_code == 200
    assert response.json["result"]["count"] == 4
