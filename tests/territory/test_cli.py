"""`ckan territoire init`, end to end on the real reference data that
dev/setup.sh installs (npm @etalab/decoupage-administratif 6.0.0). The command
speaks the portal's default language: French."""

from __future__ import annotations

import json

import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from tests.territory.conftest import CCMV, CCMV_ORGANIZATIONS, organizations

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def init(cli, *args: str):
    return cli.invoke(ckan_command, ["territoire", "init", "--epci", *args])


def test_init_creates_exactly_the_seven_organizations_of_the_ccmv(cli):
    result = init(cli, CCMV)

    assert result.exit_code == 0, result.output
    orgs = organizations()
    assert {
        siren: (org.get("insee_code"), org["title"], org["collectivite_type"])
        for siren, org in orgs.items()
    } == CCMV_ORGANIZATIONS
    assert all(
        org["epci_siren"] == CCMV
        for org in orgs.values()
        if org["collectivite_type"] == "commune"
    )
    lines = result.output.splitlines()
    assert lines[0] == (
        "EPCI 243801024 : CC du Massif du Vercors, 6 communes membres "
        "(référentiel : @etalab/decoupage-administratif 6.0.0)."
    )
    assert "  [1/7] CC du Massif du Vercors — créée" in lines
    assert "  [7/7] Corrençon-en-Vercors — créée" in lines
    assert any(
        line.split() == ["Engins", "(engins)", "commune", "38153", "213801533", "créée"]
        for line in lines
    )
    assert lines[-1] == (
        "CC du Massif du Vercors : 7 organisations ; créées : 7, mises à jour : 0, "
        "inchangées : 0."
    )


def test_a_second_run_changes_nothing_and_says_so(cli):
    init(cli, CCMV)
    before = organizations()

    result = init(cli, CCMV)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "CC du Massif du Vercors : 7 organisations ; créées : 0, mises à jour : 0, "
        "inchangées : 7."
    )
    assert organizations() == before


def test_an_update_shows_the_changed_fields(cli):
    init(cli, CCMV)
    helpers.call_action(
        "organization_patch",
        context={"user": factories.Sysadmin()["name"]},
        id="engins",
        population=1,
    )

    result = init(cli, CCMV)

    assert "  [6/7] Engins — mise à jour" in result.output.splitlines()
    assert "mise à jour : population 1 → 449" in result.output
    assert "mises à jour : 1, inchangées : 6." in result.output


def test_dry_run_writes_nothing(cli):
    result = init(cli, CCMV, "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Simulation, rien n'a été écrit. CC du Massif du Vercors : 7 organisations ; "
        "à créer : 7, à mettre à jour : 0, inchangées : 0."
    )
    assert organizations() == {}


def test_json_summary(cli):
    result = init(cli, CCMV, "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["epci"] == {"siren": CCMV, "name": "CC du Massif du Vercors"}
    assert summary["source"] == "@etalab/decoupage-administratif 6.0.0"
    assert summary["dry_run"] is False
    assert {row["siren"]: row["insee_code"] for row in summary["created"]} == {
        siren: insee for siren, (insee, _title, _kind) in CCMV_ORGANIZATIONS.items()
    }
    assert summary["updated"] == summary["unchanged"] == summary["not_members"] == []


def test_an_unknown_siren_exits_with_code_1_and_a_clear_message(cli):
    result = init(cli, "123456789")

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Erreur : Aucun EPCI de SIREN 123456789 dans le référentiel "
        "(@etalab/decoupage-administratif 6.0.0) : vérifiez le SIREN de "
        "l'intercommunalité (9 chiffres, par exemple 243801024)."
    )
    assert organizations() == {}


def test_a_malformed_siren_exits_with_code_1(cli):
    result = init(cli, "2438")

    assert result.exit_code == 1
    assert "« 2438 » n'est pas un SIREN" in result.output


@pytest.mark.usefixtures("with_extended_cli")
@pytest.mark.ckan_config("ckanext.territoire.reference_dir", "/nonexistent/data")
def test_missing_reference_data_says_what_to_do(cli):
    result = init(cli, CCMV)

    assert result.exit_code == 1
    assert result.output.startswith(
        "Erreur : Le référentiel du territoire est absent "
        "(/nonexistent/data/epci.json) : lancez dev/setup.sh"
    )
    assert "ckanext.territoire.reference_dir" in result.output


def test_user_option(cli):
    sysadmin, user = factories.Sysadmin(), factories.User()

    refused = init(cli, CCMV, "--user", user["name"])
    accepted = init(cli, CCMV, "--user", sysadmin["name"])

    assert refused.exit_code == 1
    assert "n'est pas administrateur du site" in refused.output
    assert accepted.exit_code == 0, accepted.output
    engins = helpers.call_action("organization_show", id="engins", include_users=True)
    assert [u["name"] for u in engins["users"]] == [sysadmin["name"]]


@pytest.mark.usefixtures("with_extended_cli", "geo_api")
def test_geo_api_source(cli):
    result = init(cli, CCMV)

    assert result.exit_code == 0, result.output
    assert "(référentiel : geo.api.gouv.fr, http://localhost:" in result.output
    assert set(organizations()) == {CCMV, "213805484", "213801533"}


def test_a_commune_no_longer_member_is_pointed_out(cli):
    init(cli, CCMV)
    factories.Organization(
        name="pamandzi",
        title="Pamandzi",
        collectivite_type="commune",
        insee_code="97615",
        siren="200008860",
        epci_siren=CCMV,
    )

    result = init(cli, CCMV)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        line.startswith("Pamandzi (pamandzi)")
        and line.endswith(
            "n'est plus membre selon le référentiel (laissée telle quelle)"
        )
        for line in lines
    )
    assert lines[-2].startswith(
        "1 organisation(s) désignent cet EPCI comme le leur mais n'en sont plus membres"
    )
    assert lines[-1].endswith("créées : 0, mises à jour : 0, inchangées : 7.")
