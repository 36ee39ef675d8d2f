"""The contracts in OCDS (decp/ocds.py), without CKAN: every package the
demo's sample gives validates against the OCDS 1.1.5 release-package schema
(fixtures/ocds/, offline), its releases merge with ocdskit into records that
give back the contract's current state (amounts, dates, SIRETs, CPV, offers,
modifications), and the official DECP examples (2019 format, concessions,
modifications) and odd contracts (no titulaire, no amount) do the same."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ocdskit.combine import merge
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from ckanext.opendata_territoire import decp
from ckanext.opendata_territoire.decp import ocds
from ckanext.opendata_territoire.decp.pipeline import latest_versions
from tests.decp.conftest import EXAMPLES, FIXTURES, ccmv_sirens
from tests.decp.library import _library_only  # noqa: F401
from tests.decp.test_cleaning import MARCHE_2022
from tests.decp.test_sample import SAMPLE

OCDS_SCHEMAS = FIXTURES / "ocds"
PREFIX = "ocds-xxxxxx"
PUBLISHER = {"name": "CC du Massif du Vercors"}


@cache
def release_schema() -> dict[str, Any]:
    return json.loads((OCDS_SCHEMAS / "release-schema.json").read_text("utf-8"))


@cache
def package_validator() -> jsonschema.Draft4Validator:
    """The 1.1.5 release-package schema (Draft 4), its reference to the
    release schema's URL resolved to the local copy, formats checked."""
    schema = json.loads(
        (OCDS_SCHEMAS / "release-package-schema.json").read_text("utf-8")
    )
    release = release_schema()
    registry = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(
        schema,
        registry=registry,
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )


def errors_of(package: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in package_validator().iter_errors(package)
    ]


def package_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The package as the file holds it: written, then read back."""
    package = ocds.release_package(
        rows, uri="https://data.ccmv.fr/p", publisher=PUBLISHER, prefix=PREFIX
    )
    out = io.StringIO()
    ocds.write_package(package, out)
    again = json.loads(out.getvalue())
    assert again == json.loads(json.dumps(package))
    return again


def compiled(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ocid -> compiled release, merged by ocdskit (the release schema
    given, so nothing is fetched)."""
    return {
        release["ocid"]: release
        for release in merge([package], schema=copy.deepcopy(release_schema()))
    }


def read(path: Path) -> list[decp.Contract]:
    with path.open("rb") as fp:
        return list(decp.read_contracts(fp, report=decp.Report()))


def rows_of(contracts: list[decp.Contract]) -> list[dict[str, Any]]:
    contracts, _superseded = latest_versions(contracts)
    return [c.row() for c in contracts]


def day(value: str | None) -> str | None:
    return value[:10] if value else None


def check_round_trip(row: dict[str, Any], record: dict[str, Any]) -> None:
    """The compiled release gives back the row's values (the contract's
    current state, modifications applied)."""
    (contract,) = record["contracts"]
    award = next(a for a in record["awards"] if a["id"] == contract["awardID"])
    assert record["ocid"] == f"{PREFIX}-{row['uid']}"
    assert record["buyer"]["id"] == f"FR-RCS-{row['acheteur_id']}"
    assert contract.get("value", {}).get("amount") == row["montant"]
    first = record["awards"][0]
    assert first.get("value", {}).get("amount") == row["montantInitial"]
    if row["montant"] is not None or row["montantInitial"] is not None:
        assert {a["value"]["currency"] for a in record["awards"] if "value" in a} <= {
            "EUR"
        }
    date = row["dateNotification"]
    assert day(contract.get("dateSigned")) == date
    start = row["dateDebutExecution"] or date
    period = contract.get("period", {})
    assert day(period.get("startDate")) == start
    if start and row["dureeMois"] is not None:
        end = dt.date.fromisoformat(period["endDate"][:10])
        begin = dt.date.fromisoformat(start)
        months = (end.year - begin.year) * 12 + end.month - begin.month
        assert months == row["dureeMois"]
        assert period["durationInDays"] == (end - begin).days
    # The current titulaires are the suppliers of the award the contract
    # refers to, each a party, identified by its SIRET.
    holders = [i for i in (row["titulaires_id"] or "").split("; ") if i]
    kinds = (row["titulaires_typeIdentifiant"] or "").split("; ")
    suppliers = [s["id"] for s in award.get("suppliers", [])]
    assert sorted(suppliers) == sorted(
        {
            (f"FR-RCS-{h}" if k in ("SIRET", "") else f"{k}-{h}")
            for h, k in zip(holders, kinds + [""] * len(holders), strict=False)
        }
    )
    parties = {p["id"]: p for p in record["parties"]}
    for supplier in suppliers:
        assert "supplier" in parties[supplier]["roles"]
        if supplier.startswith("FR-RCS-"):
            assert parties[supplier]["identifier"] == {
                **parties[supplier]["identifier"],
                "scheme": "FR-RCS",
                "id": supplier.removeprefix("FR-RCS-"),
            }
    (item,) = record["tender"]["items"]
    if row["codeCPV"]:
        assert item["classification"]["scheme"] == "CPV"
        assert item["classification"]["id"] == row["codeCPV"].split("-")[0]
    else:
        assert "classification" not in item
    assert record["tender"].get("numberOfTenderers") == row["offresRecues"]
    assert record["tender"].get("procurementMethodDetails") == row["procedure"]
    assert len(contract.get("amendments", [])) == row["modifications_nombre"]
    if row["lieuExecution_code"]:
        place = json.dumps(item, ensure_ascii=False)
        assert row["lieuExecution_code"] in place


@cache
def demo_packages() -> dict[str, tuple[list[dict[str, Any]], dict[str, Any]]]:
    """The demo's buyers (the CCMV and its communes) with their rows and
    their package, as the import publishes them from the sample."""
    with SAMPLE.open("rb") as fp:
        contracts = list(
            decp.read_contracts(fp, decp.BuyerFilter.of(ccmv_sirens()), decp.Report())
        )
    groups: dict[str, list[decp.Contract]] = defaultdict(list)
    for contract in contracts:
        groups[contract.buyer_siren].append(contract)
    result = {}
    for siren, group in groups.items():
        rows = rows_of(group)
        result[siren] = (rows, package_of(rows))
    return result


def test_every_package_of_the_demo_validates_against_the_ocds_schema():
    packages = demo_packages()

    assert len(packages) == 7
    for siren, (rows, package) in packages.items():
        assert errors_of(package) == [], siren
        assert package["version"] == "1.1"
        # One release per contract, one more per modification.
        assert len(package["releases"]) == sum(
            1 + r["modifications_nombre"] for r in rows
        )
        assert len({r["ocid"] for r in package["releases"]}) == len(rows)


def test_the_demo_releases_compile_back_to_the_contracts():
    """Merged by ocdskit, each contract's releases give its current state as
    the table holds it."""
    checked = modified = 0
    for rows, package in demo_packages().values():
        records = compiled(package)
        assert len(records) == len(rows)
        for row in rows:
            check_round_trip(row, records[f"{PREFIX}-{row['uid']}"])
            checked += 1
            modified += bool(row["modifications_nombre"])
    assert checked == 512
    assert modified > 10  # the sample's contracts with modifications


def test_the_releases_of_a_modified_contract_follow_its_modifications():
    rows, package = next(
        (rows, package)
        for rows, package in demo_packages().values()
        if any(r["modifications_nombre"] >= 1 for r in rows)
    )
    row = next(r for r in rows if r["modifications_nombre"] >= 1)
    releases = [r for r in package["releases"] if r["ocid"] == f"{PREFIX}-{row['uid']}"]

    assert [r["id"] for r in releases] == [
        f"{PREFIX}-{row['uid']}-{n:02d}" for n in range(len(releases))
    ]
    assert releases[0]["tag"] == ["award", "contract"]
    assert all("contractAmendment" in r["tag"] for r in releases[1:])
    # Each amendment points at the release it amends and at its own.
    amendments = releases[-1]["contracts"][0]["amendments"]
    assert [(a["amendsReleaseID"], a["releaseID"]) for a in amendments] == [
        (releases[n]["id"], releases[n + 1]["id"]) for n in range(len(releases) - 1)
    ]
    assert (
        releases[-1]["contracts"][0].get("value", {}).get("amount") == (row["montant"])
    )


def test_a_package_is_the_same_for_the_same_table():
    """publishedDate is the date of the latest data, not the time of
    writing: the file written again from an unchanged table is identical."""
    rows, _package = next(iter(demo_packages().values()))

    texts = []
    for _ in range(2):
        out = io.StringIO()
        ocds.write_package(
            ocds.release_package(
                rows, uri="https://x.example/p", publisher=PUBLISHER, prefix=PREFIX
            ),
            out,
        )
        texts.append(out.getvalue())

    assert texts[0] == texts[1]
    package = json.loads(texts[0])
    assert package["publishedDate"] == max(
        (r["date"] for r in package["releases"]), key=dt.datetime.fromisoformat
    )


@pytest.mark.parametrize(
    "name",
    [
        "2019-v1.5.0/mar-avec-modifications.json",
        "2019-v1.5.0/cc-avec-modifications.json",
        "2019-v1.5.0/paquet.json",
        "2022-v2/concessions_avec_modifications.json",
        "2022-v2/marches_avec_modifications.json",
        "2022-v2/marches_concessions.json",
        "2022-v2/Contrat-concession-modification.xml",
    ],
)
def test_the_official_examples_validate_and_round_trip(name):
    rows = rows_of(read(EXAMPLES / name))
    package = package_of(rows)

    assert errors_of(package) == []
    records = compiled(package)
    for row in rows:
        check_round_trip(row, records[f"{PREFIX}-{row['uid']}"])


def test_a_2019_change_of_titulaire_is_a_new_award():
    """Merging never takes a supplier out of an award: the modification that
    replaces Hellman by Amandier gives a second award, to which the contract
    then refers; the first award keeps the titulaires first notified."""
    (row,) = rows_of(read(EXAMPLES / "2019-v1.5.0" / "mar-avec-modifications.json"))
    package = package_of([row])
    first, second = package["releases"]

    assert second["tag"] == ["awardUpdate", "contractAmendment"]
    (record,) = compiled(package).values()
    awards = {a["id"]: a for a in record["awards"]}
    assert [s["id"] for s in awards[row["id"]]["suppliers"]] == [
        "FR-RCS-81223113200026",
        "TVA-DE814864138",
    ]
    assert record["contracts"][0]["awardID"] == f"{row['id']}-1"
    assert [s["name"] for s in awards[f"{row['id']}-1"]["suppliers"]] == [
        "Garami SARL",
        "Amandier SA",
    ]
    parties = {p["id"]: p for p in record["parties"]}
    assert parties["TVA-DE814864138"]["identifier"] == {
        "id": "DE814864138",
        "legalName": "Hellman Gmbh",
    }
    assert parties["TVA-DE814864138"]["details"] == {"typeIdentifiant": "TVA"}
    # Without publicity nor competition: limited; an Accord-cadre.
    assert record["tender"]["procurementMethod"] == "limited"
    assert record["contracts"][0]["description"] == "Accord-cadre"
    assert record["tender"]["mainProcurementCategory"] == "services"
    assert first["date"] == "2007-08-19T00:00:00+02:00"


def test_a_concession():
    (row,) = rows_of(read(EXAMPLES / "2019-v1.5.0" / "cc-avec-modifications.json"))
    package = package_of([row])
    (record,) = compiled(package).values()

    assert row["type"] == "Contrat de concession"
    assert record["tender"]["mainProcurementCategory"] == "works"
    assert record["tender"]["procurementMethod"] == "selective"
    assert record["contracts"][0]["value"] == {"amount": 33890000, "currency": "EUR"}
    assert record["awards"][0]["value"] == {"amount": 27860000, "currency": "EUR"}
    # 540 months from the start of execution.
    assert record["contracts"][0]["period"]["endDate"].startswith("2046-02-21")
    assert record["buyer"] == {"id": "FR-RCS-21350238800019", "name": "Ville de Millau"}
    assert [p["roles"] for p in record["parties"]] == [
        ["buyer", "procuringEntity"],
        ["supplier"],
    ]


def marche(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(MARCHE_2022)
    record.update(changes)
    return record


def contracts_of(*records: dict[str, Any]) -> list[decp.Contract]:
    data = json.dumps({"marches": {"marche": list(records)}}).encode()
    return list(decp.read_contracts(io.BytesIO(data), report=decp.Report()))


def test_odd_contracts_still_give_valid_releases():
    """No titulaire, no amount, no CPV, no date, no place, a titulaire twice,
    a buyer that is its own titulaire: valid releases all the same."""
    buyer = MARCHE_2022["acheteur"]["id"]
    titulaire = {"titulaire": {"typeIdentifiant": "SIRET", "id": "52176317772395"}}
    records = [
        marche(id="sans-titulaire", titulaires=[]),
        marche(id="sans-montant", montant=None),
        marche(id="sans-cpv", codeCPV=None, lieuExecution=None),
        marche(id="deux-fois", titulaires=[titulaire, titulaire]),
        marche(
            id="lui-meme",
            titulaires=[{"titulaire": {"typeIdentifiant": "SIRET", "id": buyer}}],
        ),
    ]
    undated = marche(id="sans-date")
    for key in ("dateNotification", "datePublicationDonnees"):
        undated.pop(key)
    rows = rows_of(contracts_of(*records))
    rows += rows_of(contracts_of(undated))
    package = package_of(rows)

    assert errors_of(package) == []
    records_by_id = {r["contracts"][0]["id"]: r for r in compiled(package).values()}
    assert "suppliers" not in records_by_id["sans-titulaire"]["awards"][0]
    assert "value" not in records_by_id["sans-montant"]["contracts"][0]
    assert "classification" not in records_by_id["sans-cpv"]["tender"]["items"][0]
    assert len(records_by_id["deux-fois"]["awards"][0]["suppliers"]) == 1
    (itself,) = records_by_id["lui-meme"]["parties"]
    assert itself["roles"] == ["buyer", "procuringEntity", "supplier"]
    # A release must have a date: one with none takes the package's.
    (undated_release,) = [
        r for r in package["releases"] if r["ocid"].endswith("sans-date")
    ]
    assert undated_release["date"] == package["publishedDate"]
    for row in rows:
        check_round_trip(row, records_by_id[row["id"]] | {})


def test_no_contract_no_package():
    with pytest.raises(ocds.NoContracts):
        ocds.release_package(
            [], uri="https://x.example/p", publisher=PUBLISHER, prefix=PREFIX
        )
