"""The licence chooser's recommendation (licences/recommendation.yaml),
every path through its rules, as territoire_licence_recommend answers it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ckanext.opendata_territoire.licences import recommendation
from tests.licences.conftest import FIXTURES, in_french_and_english

pytestmark = pytest.mark.usefixtures("clean_db")

FEE_REGISTER = str(FIXTURES / "register_with_fee_licence.yaml")

LOV2_REASON = (
    "La Licence Ouverte 2.0 est la licence de la liste fixée par décret qui "
    "impose le moins de conditions : les réutilisateurs citent seulement la "
    "source et la date de dernière mise à jour, et peuvent réutiliser les "
    "données commercialement."
)
NAME_THE_SOURCE = (
    "Citez la source du contenu des tiers dans le champ Source du jeu de données."
)


def recommend(app, prefix: str = "", **answers: str) -> dict[str, Any]:
    response = app.get(
        f"{prefix}/api/3/action/territoire_licence_recommend", query_string=answers
    )
    assert response.status_code == 200, response.body
    return response.json["result"]


def summary(result: dict[str, Any]) -> tuple:
    licence = result["licence"]["id"] if result["licence"] else None
    return licence, result["rule"], len(result["reasons"])


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({}, ("lov2", "default", 1), id="no answer: Licence Ouverte"),
        pytest.param(
            {"share_alike": "no", "database": "yes"},
            ("lov2", "default", 2),
            id="database without share-alike: Licence Ouverte",
        ),
        pytest.param(
            {"third_party": "attribution"},
            ("lov2", "default", 2),
            id="third party asking attribution: Licence Ouverte",
        ),
        pytest.param(
            {"share_alike": "yes"},
            ("odc-odbl", "share-alike", 1),
            id="share-alike wanted: ODbL",
        ),
        pytest.param(
            {"share_alike": "yes", "third_party": "attribution"},
            ("odc-odbl", "share-alike", 2),
            id="share-alike and third party asking attribution: ODbL",
        ),
        pytest.param(
            {"database": "yes"},
            ("odc-odbl", "enriched-database", 1),
            id="database others enrich, share-alike unsure: ODbL",
        ),
        pytest.param(
            {"database": "yes", "third_party": "attribution"},
            ("odc-odbl", "enriched-database", 2),
            id="enriched database with third party asking attribution: ODbL",
        ),
        pytest.param(
            {"third_party": "share-alike", "share_alike": "no"},
            ("odc-odbl", "third-party-share-alike", 2),
            id="third party under share-alike: ODbL whatever the wish",
        ),
        pytest.param(
            {"third_party": "unknown", "share_alike": "yes"},
            (None, "third-party-unknown", 1),
            id="third party terms unknown: no licence yet",
        ),
        pytest.param(
            {"fee": "yes"},
            (None, "fee", 4),
            id="fee without a fee licence in the register: no licence",
        ),
        pytest.param(
            {"fee": "yes", "third_party": "unknown"},
            (None, "fee", 4),
            id="the fee comes first",
        ),
    ],
)
def test_every_path_of_the_recommendation(app, answers, expected):
    assert summary(recommend(app, **answers)) == expected


@pytest.mark.ckan_config("ckanext.territoire.licences_file", FEE_REGISTER)
def test_a_fee_recommends_the_register_s_licence_that_provides_for_it(app):
    result = recommend(app, fee="yes")

    assert summary(result) == ("ccmv-redevance", "fee", 3)
    assert result["licence"]["allows_fee"] is True


def test_the_recommendation_gives_the_licence_its_reasons_and_references(app):
    result = recommend(app, share_alike="no", database="yes")

    assert result["licence"]["id"] == "lov2"
    assert result["licence"]["title"] == "Licence Ouverte / Open Licence version 2.0"
    assert result["licence"]["homologated"] is True
    assert result["reasons"] == [
        {"reason": LOV2_REASON, "reference": "CRPA, art. D.323-2-1"},
        {
            "reason": "Vous n'exigez pas le partage à l'identique : la Licence "
            "Ouverte 2.0 couvre aussi les bases de données.",
            "reference": "CRPA, art. D.323-2-1",
        },
    ]
    assert result["answers"] == {
        "fee": "no",
        "third_party": "no",
        "share_alike": "no",
        "database": "yes",
    }


def test_a_third_party_asking_attribution_adds_naming_the_source(app):
    result = recommend(app, share_alike="yes", third_party="attribution")

    assert result["reasons"][-1] == {
        "reason": NAME_THE_SOURCE,
        "reference": "CRPA, art. L.321-2",
    }


def test_without_a_fee_licence_the_reasons_say_what_to_do(app):
    result = recommend(app, fee="yes")

    assert [reason["reference"] for reason in result["reasons"]] == [
        "CRPA, art. L.324-1 et L.324-2",
        "CRPA, art. L.323-1",
        "CRPA, art. D.323-2-1 et D.323-2-2",
        "CRPA, art. D.323-2-2",
    ]
    assert result["reasons"][-1]["reason"].startswith(
        "Aucune licence de ce catalogue ne prévoit de redevance."
    )


def test_the_reasons_come_in_english_under_en(app):
    result = recommend(app, prefix="/en")

    assert result["reasons"][0]["reason"].startswith(
        "The Licence Ouverte 2.0 is the licence of the list fixed by decree with "
        "the fewest conditions"
    )
    assert result["licence"]["title"] == "Open Licence / Licence Ouverte version 2.0"


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« maybe » n'est pas une réponse à cette question. Réponses : unsure, "
        "yes, no.",
        en='"maybe" is not an answer to this question. Answers: unsure, yes, no.',
    ),
)
def test_a_wrong_answer_is_refused_naming_the_question_and_the_answers(
    app, prefix, message
):
    response = app.get(
        f"{prefix}/api/3/action/territoire_licence_recommend",
        query_string={"share_alike": "maybe"},
    )

    assert response.status_code == 409
    assert response.json["error"] == {
        "__type": "Validation Error",
        "share_alike": [message],
    }


def test_an_unknown_question_is_refused(app):
    response = app.post(
        "/api/3/action/territoire_licence_recommend", json={"budget": "yes"}
    )

    assert response.status_code == 409
    assert response.json["error"]["budget"] == [
        "Question inconnue. Questions : fee, third_party, share_alike, database."
    ]


# The data file


def test_every_question_and_rule_of_the_data_file_holds():
    data = recommendation.chooser()

    assert [q["id"] for q in data["questions"]] == [
        "fee",
        "third_party",
        "share_alike",
        "database",
    ]
    assert [rule["id"] for rule in data["rules"]][-1] == "default"


def broken(change) -> dict[str, Any]:
    data = copy.deepcopy(recommendation.chooser())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d["rules"][0]["when"].update(budget=["yes"]),
            "condition budget: ['yes'] names an unknown question or answer",
        ),
        (
            lambda d: d["rules"][0]["when"].update(fee=["perhaps"]),
            "condition fee: ['perhaps'] names an unknown question or answer",
        ),
        (
            lambda d: d["rules"][-1].update(when={"fee": ["no"]}),
            "the last rule must match any answers",
        ),
        (
            lambda d: d["questions"][0].update(default="maybe"),
            "question 'fee': bad default",
        ),
        (
            lambda d: d["questions"].append(d["questions"][0]),
            "question 'fee' is repeated",
        ),
    ],
    ids=["unknown question", "unknown answer", "last rule", "default", "repeated"],
)
def test_a_wrong_data_file_is_refused_with_the_entry_named(change, problem):
    with pytest.raises(ValueError) as error:
        recommendation._check(broken(change))

    assert str(error.value) == f"{recommendation.RULES_FILE}: {problem}"
