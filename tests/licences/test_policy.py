"""The licence policy as a publisher meets it through the action API: a
public dataset of a public body uses a licence of the decree's list; private
datasets, harvested datasets and data with third-party rights are the
exceptions; a fee needs its legal basis and a licence that provides for it.
Refusals come in French (/api) and English (/en/api)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

from tests.licences.conftest import (
    FIXTURES,
    accepted,
    dataset,
    in_french_and_english,
    refused,
    shown,
)

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FEE_REGISTER = str(FIXTURES / "register_with_fee_licence.yaml")

NOT_HOMOLOGATED_FR = (
    "Creative Commons Attribution (CC BY) (cc-by) ne fait pas partie de la "
    "liste des licences fixée par décret (CRPA, art. D.323-2-1) : un jeu de "
    "données public d'un organisme public utilise l'une de ces licences : "
    "Licence Ouverte 2.0 (lov2), ODbL 1.0 (odc-odbl). Choisissez-en une ou "
    "gardez le jeu de données privé."
)
NOT_HOMOLOGATED_EN = (
    "Creative Commons Attribution (CC BY) (cc-by) is not in the list of "
    "licences fixed by decree (CRPA, art. D.323-2-1): a public dataset of a "
    "public body uses one of these licences: Open Licence 2.0 (lov2), ODbL 1.0 "
    "(odc-odbl). Choose one of them or keep the dataset private."
)
THIRD_PARTY_HINT_FR = (
    " Si des tiers détiennent des droits sur les données et vous imposent "
    "cette licence, indiquez-le dans le champ Droits de tiers (CRPA, art. "
    "L.321-2)."
)
THIRD_PARTY_HINT_EN = (
    " If third parties hold rights on the data and impose this licence, say so "
    "in the field Third-party rights (CRPA, art. L.321-2)."
)


# Accepted


@pytest.mark.parametrize("licence", ["lov2", "odc-odbl"])
def test_a_public_dataset_of_a_commune_under_a_licence_of_the_decree_is_accepted(
    app, headers, commune, licence
):
    result = accepted(
        app, headers, "package_create", dataset(commune, license_id=licence)
    )

    assert result["license_id"] == licence
    assert shown(app, result["name"])["licence_status"] == "homologated"


def test_a_private_dataset_may_carry_another_licence_of_the_register(
    app, headers, commune
):
    accepted(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="cc-by", private=True),
    )

    assert shown(app, "plan-local-urbanisme", headers)["licence_status"] == (
        "not_homologated"
    )


def test_data_with_third_party_rights_keeps_the_licence_they_impose(
    app, headers, commune
):
    accepted(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="cc-by-sa", third_party_rights="true"),
    )

    shown_dataset = shown(app, "plan-local-urbanisme")
    assert shown_dataset["third_party_rights"] == "true"
    assert shown_dataset["licence_status"] == "third_party_rights"


# Refused


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr=NOT_HOMOLOGATED_FR + THIRD_PARTY_HINT_FR,
        en=NOT_HOMOLOGATED_EN + THIRD_PARTY_HINT_EN,
    ),
)
def test_a_public_dataset_of_a_commune_under_another_licence_is_refused(
    app, headers, commune, prefix, message
):
    error = refused(
        app, headers, "package_create", dataset(commune, license_id="cc-by"), prefix
    )

    assert error == {"license_id": [message]}


def test_making_a_private_dataset_public_checks_its_licence(app, headers, commune):
    accepted(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="cc-by", private=True),
    )

    error = refused(
        app,
        headers,
        "package_patch",
        {"id": "plan-local-urbanisme", "private": False},
    )

    assert error == {"license_id": [NOT_HOMOLOGATED_FR + THIRD_PARTY_HINT_FR]}


def test_a_public_dataset_without_a_licence_specified_is_refused(app, headers, commune):
    error = refused(
        app, headers, "package_create", dataset(commune, license_id="notspecified")
    )

    assert error["license_id"][0].startswith(
        "Licence non spécifiée (notspecified) ne fait pas partie de la liste"
    )


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« cc-by-nc » n'est pas une licence du registre du catalogue. Licences "
        ": lov2, odc-odbl, fr-lo, cc-by, cc-by-sa, cc-zero, odc-by, odc-pddl, "
        "other-at, other-open, other-pd, notspecified.",
        en='"cc-by-nc" is not a licence of the catalogue\'s register. Licences: '
        "lov2, odc-odbl, fr-lo, cc-by, cc-by-sa, cc-zero, odc-by, odc-pddl, "
        "other-at, other-open, other-pd, notspecified.",
    ),
)
def test_a_licence_outside_the_register_is_refused_even_on_a_private_dataset(
    app, headers, commune, prefix, message
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="cc-by-nc", private=True),
        prefix,
    )

    assert error == {"license_id": [message]}


@pytest.mark.ckan_config("ckanext.territoire.licence_exceptions", "")
def test_without_exceptions_third_party_rights_do_not_allow_another_licence(
    app, headers, commune
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="cc-by", third_party_rights="true"),
    )

    assert error == {"license_id": [NOT_HOMOLOGATED_FR]}


# Harvested datasets


def create_as_a_harvester(licence: str) -> str:
    """What ckanext-harvest's base harvester does for a new dataset: link a
    harvest object to the dataset's id, then package_create it."""
    package_id = str(uuid.uuid4())
    source = HarvestSource(url="https://datagouv.example/", type="udata")
    job = HarvestJob(source=source)
    HarvestObject(guid="remote-1", job=job, source=source, package_id=package_id).add()
    model.Session.execute(
        sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED")
    )
    model.Session.flush()
    organization = model.Group.get("villard-de-lans")
    site_user = helpers.call_action("get_site_user")["name"]
    helpers.call_action(
        "package_create",
        context={"ignore_auth": True, "user": site_user},
        **dataset({"id": organization.id}, id=package_id, license_id=licence),
    )
    return package_id


@pytest.mark.parametrize(
    "licence", ["cc-by", "https://www.example.org/licence-du-producteur"]
)
def test_a_harvested_dataset_keeps_its_producer_s_licence_marked_as_such(
    app, commune, licence
):
    package_id = create_as_a_harvester(licence)

    result = shown(app, package_id)
    assert result["license_id"] == licence
    assert result["licence_status"] == "harvested"


@pytest.mark.ckan_config("ckanext.territoire.licence_exceptions", "third_party_rights")
def test_when_harvested_datasets_are_not_an_exception_their_licence_is_checked(
    commune,
):
    with pytest.raises(helpers.logic.ValidationError) as error:
        create_as_a_harvester("cc-by")

    # In English: a harvester runs outside any web request.
    assert error.value.error_dict["license_id"] == [
        NOT_HOMOLOGATED_EN + THIRD_PARTY_HINT_EN
    ]


# Fees


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Licence Ouverte / Open Licence version 2.0 (lov2) accorde la "
        "réutilisation gratuitement : elle ne peut pas être assortie d'une "
        "redevance. Une redevance exige une licence qui la prévoit (CRPA, art. "
        "L.323-1), homologuée si elle ne figure pas dans la liste fixée par "
        "décret (art. D.323-2-2) ; l'administrateur du catalogue l'ajoute au "
        "registre des licences.",
        en="Open Licence / Licence Ouverte version 2.0 (lov2) grants reuse free "
        "of charge: it cannot go with a fee (redevance). A fee requires a licence "
        "that provides for it (CRPA, art. L.323-1), homologated when it is not in "
        "the list fixed by decree (art. D.323-2-2); the catalogue's administrator "
        "adds it to the licence register.",
    ),
)
def test_a_fee_under_a_licence_that_grants_free_reuse_is_refused(
    app, headers, commune, prefix, message
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(
            commune,
            license_id="lov2",
            reuse_fee="fee",
            reuse_fee_basis="cultural-digitisation",
        ),
        prefix,
    )

    assert error == {"license_id": [message]}


def test_a_fee_without_a_licence_is_refused(app, headers, commune):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(
            commune,
            license_id="notspecified",
            private=True,
            reuse_fee="fee",
            reuse_fee_basis="cultural-digitisation",
        ),
    )

    assert error == {
        "license_id": [
            "Une redevance exige une licence qui la prévoit (CRPA, art. L.323-1) "
            ": choisissez une telle licence dans le registre."
        ]
    }


@pytest.mark.ckan_config("ckanext.territoire.licences_file", FEE_REGISTER)
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Une redevance doit indiquer son fondement légal : la réutilisation "
        "des informations publiques est gratuite (CRPA, art. L.324-1) sauf dans "
        "les cas que la loi énumère. Choisissez le fondement de la redevance.",
        en="A fee (redevance) needs its legal basis: reuse of public information "
        "is free (CRPA, art. L.324-1) but in the cases the law lists. Choose the "
        "basis of the fee.",
    ),
)
def test_a_fee_without_its_legal_basis_is_refused(
    app, headers, commune, prefix, message
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(commune, license_id="ccmv-redevance", reuse_fee="fee"),
        prefix,
    )

    assert error == {"reuse_fee_basis": [message]}


@pytest.mark.ckan_config("ckanext.territoire.licences_file", FEE_REGISTER)
def test_a_fee_with_its_basis_under_a_licence_providing_for_it_is_accepted(
    app, headers, commune
):
    accepted(
        app,
        headers,
        "package_create",
        dataset(
            commune,
            license_id="ccmv-redevance",
            reuse_fee="fee",
            reuse_fee_basis="cultural-digitisation",
            reuse_fee_terms="0,10 € par image numérisée.",
        ),
    )

    result = shown(app, "plan-local-urbanisme")
    assert result["reuse_fee"] == "fee"
    assert result["reuse_fee_basis"] == "cultural-digitisation"
    assert result["reuse_fee_terms"] == "0,10 € par image numérisée."
    assert result["licence_status"] == "homologated"


def test_free_reuse_leaves_out_the_basis_and_terms_of_a_fee(app, headers, commune):
    accepted(
        app,
        headers,
        "package_create",
        dataset(
            commune,
            reuse_fee="free",
            reuse_fee_basis="own-revenue",
            reuse_fee_terms="10 € par an.",
        ),
    )

    result = shown(app, "plan-local-urbanisme")
    assert result["reuse_fee"] == "free"
    assert "reuse_fee_basis" not in result
    assert "reuse_fee_terms" not in result


def test_a_fee_that_is_neither_free_nor_fee_is_refused(app, headers, commune):
    error = refused(app, headers, "package_create", dataset(commune, reuse_fee="maybe"))

    assert error == {
        "reuse_fee": [
            "« maybe » ne fait pas partie des valeurs autorisées : free, fee."
        ]
    }
