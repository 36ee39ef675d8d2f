"""Every metadata rule as a reuser of the action API meets it.

Each rule refuses bad input with its own message, filed under the field's name,
in French (the portal's default language, /api/3/...) and in English (CKAN's
locale prefix, /en/api/3/...; CKAN 2.11 picks the language from the URL only,
not from Accept-Language). Good input is accepted and normalised.
"""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories

from ckanext.opendata_territoire.metadata import choices

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

# Real public bodies of the Vercors.
VILLARD_SIREN = "213805484"
AUTRANS_SIREN = "200056224"
CCMV_SIREN = "243801024"
VILLARD_INSEE, CORRENCON_INSEE, ENGINS_INSEE = "38548", "38225", "38153"
# A SIRET of Villard-de-Lans' SIREN with a valid check digit.
VILLARD_SIRET = "21380548400010"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def in_french_and_english(fr: str, en: str) -> list[Any]:
    """Parameters (prefix, message) of one rule: the default language (French)
    without prefix, English under /en."""
    return [
        pytest.param("", fr, id="fr"),
        pytest.param("/en", en, id="en"),
    ]


def allowed(choice_list: str) -> str:
    return ", ".join(choices.values(choice_list))


@pytest.fixture
def headers() -> dict[str, str]:
    return {"Authorization": factories.SysadminWithToken()["token"]}


@pytest.fixture
def org() -> dict[str, Any]:
    return factories.Organization(name="villard-de-lans", title="Villard-de-Lans")


def post(app, headers, action: str, data: dict[str, Any], prefix: str = ""):
    return app.post(f"{prefix}/api/3/action/{action}", headers=headers, json=data)


def refused(app, headers, action: str, data: dict[str, Any], prefix: str = ""):
    """The validation errors of a refused call, without CKAN's `__type`."""
    response = post(app, headers, action, data, prefix)
    assert response.status_code == 409, response.body
    body = response.json
    assert body["success"] is False
    error = dict(body["error"])
    assert error.pop("__type") == "Validation Error"
    return error


def accepted(app, headers, action: str, data: dict[str, Any]) -> dict[str, Any]:
    response = post(app, headers, action, data)
    assert response.status_code == 200, response.body
    assert response.json["success"] is True
    return response.json["result"]


def organization(**fields: Any) -> dict[str, Any]:
    return {"name": "villard-de-lans", "title": "Villard-de-Lans", **fields}


def dataset(org: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The least a public dataset needs, plus ``fields``."""
    return {
        "name": "deliberations",
        "title": "Délibérations du conseil municipal",
        "owner_org": org["id"],
        "license_id": "odc-odbl",
        "personal_data": "none",
        **fields,
    }


def shown(app, headers, action: str, id_: str) -> dict[str, Any]:
    response = app.get(
        f"/api/3/action/{action}", headers=headers, query_string={"id": id_}
    )
    assert response.status_code == 200, response.body
    return response.json["result"]


# Organization: SIREN, SIRET, INSEE code, contacts, numbers, type


@pytest.mark.parametrize("field", ["siren", "epci_siren"])
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le SIREN doit compter 9 chiffres, reçu « 21380548 ».",
        en='SIREN must be 9 digits, got "21380548".',
    ),
)
def test_a_siren_that_is_not_nine_digits_is_refused(
    app, headers, field, prefix, message
):
    error = refused(
        app, headers, "organization_create", organization(**{field: "21380548"}), prefix
    )

    assert error == {field: [message]}


@pytest.mark.parametrize("field", ["siren", "epci_siren"])
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le SIREN « 213805485 » a une clé de contrôle (Luhn) fausse : "
        "vérifiez la saisie.",
        en='SIREN "213805485" fails its check digit (Luhn): check for a typo.',
    ),
)
def test_a_siren_with_a_wrong_check_digit_is_refused(
    app, headers, field, prefix, message
):
    error = refused(
        app,
        headers,
        "organization_create",
        organization(**{field: "213805485"}),
        prefix,
    )

    assert error == {field: [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le SIRET doit compter 14 chiffres, reçu « 2138054840001 ».",
        en='SIRET must be 14 digits, got "2138054840001".',
    ),
)
def test_a_siret_that_is_not_fourteen_digits_is_refused(app, headers, prefix, message):
    error = refused(
        app,
        headers,
        "organization_create",
        organization(siret="2138054840001"),
        prefix,
    )

    assert error == {"siret": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le SIRET « 21380548400011 » a une clé de contrôle (Luhn) fausse : "
        "vérifiez la saisie.",
        en='SIRET "21380548400011" fails its check digit (Luhn): check for a typo.',
    ),
)
def test_a_siret_with_a_wrong_check_digit_is_refused(app, headers, prefix, message):
    error = refused(
        app,
        headers,
        "organization_create",
        organization(siret="21380548400011"),
        prefix,
    )

    assert error == {"siret": [message]}


@pytest.mark.parametrize("code", ["3825", "ABCDE"])
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le code INSEE « {code} » n'est pas valide : il compte 5 caractères, "
        "deux chiffres (ou 2A, 2B) puis trois chiffres, ex. 38548. "
        "Ce n'est pas le code postal.",
        en='INSEE code "{code}" is not valid: it has 5 characters, two digits '
        "(or 2A, 2B) then three digits, eg. 38548. It is not the postcode.",
    ),
)
def test_an_organization_insee_code_that_is_not_a_commune_code_is_refused(
    app, headers, code, prefix, message
):
    error = refused(
        app, headers, "organization_create", organization(insee_code=code), prefix
    )

    assert error == {"insee_code": [message.format(code=code)]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le code INSEE « 38999 » n'est pas celui d'une commune actuelle du Code "
        "officiel géographique.",
        en='INSEE code "38999" is not the code of a current commune in the Code '
        "officiel géographique.",
    ),
)
def test_an_insee_code_of_no_current_commune_is_refused(app, headers, prefix, message):
    # The code has the right form, but the reference data (the npm package
    # dev/setup.sh installs) has no current commune with it.
    error = refused(
        app, headers, "organization_create", organization(insee_code="38999"), prefix
    )

    assert error == {"insee_code": [message]}


def test_the_insee_code_of_a_merged_commune_is_refused_in_the_coverage(
    app, headers, org
):
    # 38021 was Autrans, merged into Autrans-Méaudre en Vercors (38225) in 2016.
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, spatial_insee=["38225", "38021"]),
        "",
    )

    assert list(error) == ["spatial_insee"]
    assert "38021" in error["spatial_insee"][0]


@pytest.mark.parametrize("field", ["contact_email", "dpo_contact"])
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« mairie@villard-de-lans » n'est pas une adresse e-mail valide : "
        "la forme attendue est nom@domaine.fr.",
        en='"mairie@villard-de-lans" is not a valid e-mail address: expected '
        "the form name@domain.fr.",
    ),
)
def test_an_organization_email_without_a_domain_is_refused(
    app, headers, field, prefix, message
):
    error = refused(
        app,
        headers,
        "organization_create",
        organization(**{field: "mairie@villard-de-lans"}),
        prefix,
    )

    assert error == {field: [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« www.villard-de-lans.fr » n'est pas une adresse web : "
        "elle doit commencer par https:// ou http://.",
        en='"www.villard-de-lans.fr" is not a web address: it must start '
        "with https:// or http://.",
    ),
)
def test_a_website_without_its_scheme_is_refused(app, headers, prefix, message):
    error = refused(
        app,
        headers,
        "organization_create",
        organization(website="www.villard-de-lans.fr"),
        prefix,
    )

    assert error == {"website": [message]}


@pytest.mark.parametrize("field", ["population", "agents_count"])
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le nombre ne peut pas être négatif, reçu -4170.",
        en="The number cannot be negative, got -4170.",
    ),
)
def test_a_negative_number_is_refused(app, headers, field, prefix, message):
    error = refused(
        app, headers, "organization_create", organization(**{field: -4170}), prefix
    )

    assert error == {field: [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« environ 4000 » n'est pas un nombre entier.",
        en='"environ 4000" is not a whole number.',
    ),
)
def test_a_population_that_is_not_a_number_is_refused(app, headers, prefix, message):
    error = refused(
        app,
        headers,
        "organization_create",
        organization(population="environ 4000"),
        prefix,
    )

    assert error == {"population": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« mairie » ne fait pas partie des valeurs autorisées : commune, epci, "
        "syndicat, departement, region, other-public-body.",
        en='"mairie" is not an allowed value. Allowed values: commune, epci, '
        "syndicat, departement, region, other-public-body.",
    ),
)
def test_an_unknown_type_of_public_body_is_refused(app, headers, prefix, message):
    error = refused(
        app,
        headers,
        "organization_create",
        organization(collectivite_type="mairie"),
        prefix,
    )

    assert error == {"collectivite_type": [message]}


# Dataset: contact, dates, coverage, choice lists, personal data, licence


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« donnees.villard-de-lans.fr » n'est pas une adresse e-mail valide : "
        "la forme attendue est nom@domaine.fr.",
        en='"donnees.villard-de-lans.fr" is not a valid e-mail address: expected '
        "the form name@domain.fr.",
    ),
)
def test_a_dataset_contact_email_without_at_sign_is_refused(
    app, headers, org, prefix, message
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, contact_email="donnees.villard-de-lans.fr"),
        prefix,
    )

    assert error == {"contact_email": [message]}


@pytest.mark.parametrize("field", ["data_updated", "temporal_start", "temporal_end"])
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« 31/12/2024 » n'est pas une date : le format attendu est AAAA-MM-JJ, "
        "ex. 2024-12-31.",
        en='"31/12/2024" is not a date: expected YYYY-MM-DD, eg. 2024-12-31.',
    ),
)
def test_a_date_in_french_notation_is_refused(
    app, headers, org, field, prefix, message
):
    error = refused(
        app, headers, "package_create", dataset(org, **{field: "31/12/2024"}), prefix
    )

    assert error == {field: [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="La date de fin 2023-12-31 précède la date de début 2024-01-01.",
        en="The end date 2023-12-31 comes before the start date 2024-01-01.",
    ),
)
def test_a_period_that_ends_before_it_starts_is_refused(
    app, headers, org, prefix, message
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, temporal_start="2024-01-01", temporal_end="2023-12-31"),
        prefix,
    )

    assert error == {"temporal_end": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« 3825 » n'est ni un code INSEE de commune (5 caractères, ex. 38548) "
        "ni le SIREN d'un EPCI (9 chiffres).",
        en='"3825" is not an INSEE commune code (5 characters, eg. 38548) nor '
        "the SIREN of an EPCI (9 digits).",
    ),
)
def test_the_one_bad_code_of_the_area_covered_is_named(
    app, headers, org, prefix, message
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, spatial_insee=[VILLARD_INSEE, "3825", CORRENCON_INSEE]),
        prefix,
    )

    assert error == {"spatial_insee": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Une liste de valeurs ou un texte séparé par des virgules est attendu.",
        en="Expected a list of values or a comma-separated text.",
    ),
)
def test_an_area_covered_that_is_a_number_is_refused(
    app, headers, org, prefix, message
):
    # A number would lose the leading zero of codes like 01004.
    error = refused(
        app, headers, "package_create", dataset(org, spatial_insee=38548), prefix
    )

    assert error == {"spatial_insee": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« deux » n'est pas une version de schéma : des nombres comme 2.1.5 "
        "sont attendus.",
        en='"deux" is not a schema version: expected numbers like 2.1.5.',
    ),
)
def test_a_schema_version_that_is_not_numbers_is_refused(
    app, headers, org, prefix, message
):
    error = refused(
        app, headers, "package_create", dataset(org, schema_version="deux"), prefix
    )

    assert error == {"schema_version": [message]}


@pytest.mark.parametrize(
    ("field", "value", "choice_list"),
    [
        ("frequency", "sometimes", "frequencies"),
        ("legal_basis", "rgpd", "legal_bases"),
        ("schema_name", "scdl/deliberation", "national_schemas"),
        ("spatial_granularity", "commune", "granularities"),
        ("data_temperature", "warm", "temperatures"),
        ("pivot_data", "yes", "yes_no"),
        ("personal_data", "maybe", "personal_data"),
    ],
)
@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« {value} » ne fait pas partie des valeurs autorisées : {allowed}.",
        en='"{value}" is not an allowed value. Allowed values: {allowed}.',
    ),
)
def test_a_value_outside_the_choice_list_is_refused_with_the_allowed_values(
    app, headers, org, field, value, choice_list, prefix, message
):
    error = refused(
        app, headers, "package_create", dataset(org, **{field: value}), prefix
    )

    assert error == {field: [message.format(value=value, allowed=allowed(choice_list))]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« SPORT » ne fait pas partie des valeurs autorisées : AGRI, ECON, EDUC, "
        "ENER, ENVI, GOVE, HEAL, INTR, JUST, REGI, SOCI, TECH, TRAN.",
        en='"SPORT" is not an allowed value. Allowed values: AGRI, ECON, EDUC, '
        "ENER, ENVI, GOVE, HEAL, INTR, JUST, REGI, SOCI, TECH, TRAN.",
    ),
)
def test_an_unknown_theme_among_known_ones_is_refused(
    app, headers, org, prefix, message
):
    error = refused(
        app, headers, "package_create", dataset(org, theme=["REGI", "SPORT"]), prefix
    )

    assert error == {"theme": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Un jeu de données public doit indiquer s'il contient des données "
        "personnelles : choisissez « aucune donnée personnelle », "
        "« anonymisées » ou « agrégées ».",
        en="A public dataset must state whether it holds personal data: choose "
        "no personal data, anonymised or aggregated.",
    ),
)
def test_a_public_dataset_without_the_personal_data_statement_is_refused(
    app, headers, org, prefix, message
):
    fields = dataset(org)
    del fields["personal_data"]

    error = refused(app, headers, "package_create", fields, prefix)

    assert error == {"personal_data": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Un jeu de données public ne peut pas contenir de données personnelles : "
        "retirez-les ou agrégez-les, ou gardez le jeu de données privé.",
        en="A public dataset cannot contain personal data: remove or aggregate "
        "it, or keep the dataset private.",
    ),
)
def test_a_public_dataset_declaring_personal_data_is_refused(
    app, headers, org, prefix, message
):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, personal_data="contains", private=False),
        prefix,
    )

    assert error == {"personal_data": [message]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(fr="Valeur manquante", en="Missing value"),
)
def test_a_dataset_without_a_licence_is_refused(app, headers, org, prefix, message):
    fields = dataset(org)
    del fields["license_id"]

    error = refused(app, headers, "package_create", fields, prefix)

    assert error == {"license_id": [message]}


# Resources


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="« 9f86d081 » n'est pas une empreinte : l'empreinte MD5 (32), SHA-1 (40) "
        "ou SHA-256 (64 caractères) du fichier, en hexadécimal, est attendue.",
        en='"9f86d081" is not a checksum: expected the hexadecimal MD5 (32), '
        "SHA-1 (40) or SHA-256 (64 characters) of the file.",
    ),
)
def test_a_resource_checksum_of_the_wrong_length_is_refused(
    app, headers, org, prefix, message
):
    resource = {"url": "https://www.villard-de-lans.fr/deliberations.csv"}
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, resources=[{**resource, "hash": "9f86d081"}]),
        prefix,
    )

    assert error == {"resources": [{"hash": [message]}]}


@pytest.mark.parametrize(
    ("prefix", "message"),
    in_french_and_english(
        fr="Le nombre ne peut pas être négatif, reçu -20480.",
        en="The number cannot be negative, got -20480.",
    ),
)
def test_a_negative_resource_size_is_refused(app, headers, org, prefix, message):
    resource = {"url": "https://www.villard-de-lans.fr/deliberations.csv"}
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, resources=[{**resource, "size": -20480}]),
        prefix,
    )

    assert error == {"resources": [{"size": [message]}]}


# Good input is accepted and normalised


def test_a_blank_resource_size_is_left_out(app, headers, org):
    """As the web form sends it when the field is left empty: once a server
    error (the size column is a number)."""
    resource = {"url": "https://www.villard-de-lans.fr/deliberations.csv"}

    created = accepted(
        app,
        headers,
        "package_create",
        dataset(org, resources=[{**resource, "size": ""}]),
    )

    assert created["resources"][0]["size"] is None


def test_siren_written_with_spaces_or_dots_are_stored_as_digits(app, headers):
    created = accepted(
        app,
        headers,
        "organization_create",
        organization(siren="213 805 484", epci_siren="243.801.024"),
    )

    assert created["siren"] == VILLARD_SIREN
    assert created["epci_siren"] == CCMV_SIREN


def test_a_siret_written_with_spaces_is_stored_as_digits(app, headers):
    created = accepted(
        app, headers, "organization_create", organization(siret="213 805 484 00010")
    )

    assert created["siret"] == VILLARD_SIRET


def test_a_la_poste_siret_is_accepted_under_la_poste_rule(app, headers):
    # La Poste's establishments fail the Luhn check; their digits add up to a
    # multiple of 5 instead.
    created = accepted(
        app,
        headers,
        "organization_create",
        organization(name="la-poste", siren="356000000", siret="35600000049837"),
    )

    assert created["siret"] == "35600000049837"


def test_a_corsican_insee_code_is_stored_in_capitals(app, headers):
    created = accepted(
        app, headers, "organization_create", organization(insee_code="2a004")
    )

    assert created["insee_code"] == "2A004"


def test_numbers_written_with_spaces_are_stored_as_numbers(app, headers):
    accepted(
        app,
        headers,
        "organization_create",
        organization(population="4 170", agents_count="62"),
    )

    shown_org = shown(app, headers, "organization_show", "villard-de-lans")
    assert shown_org["population"] == 4170
    assert shown_org["agents_count"] == 62


def test_organization_show_returns_what_was_sent(app, headers):
    fields = organization(
        name="autrans-meaudre",
        title="Autrans-Méaudre en Vercors",
        collectivite_type="commune",
        insee_code="38225",
        siren=AUTRANS_SIREN,
        epci_siren=CCMV_SIREN,
        population=3000,
        agents_count=40,
        website="https://www.autrans-meaudre.fr",
        contact_email="mairie@autrans-meaudre.fr",
        dpo_contact="dpo@autrans-meaudre.fr",
    )
    accepted(app, headers, "organization_create", fields)

    shown_org = shown(app, headers, "organization_show", "autrans-meaudre")
    assert {key: shown_org[key] for key in fields} == fields


def test_codes_of_the_area_covered_given_as_text_are_stored_as_a_list(
    app, headers, org
):
    created = accepted(
        app,
        headers,
        "package_create",
        dataset(org, spatial_insee=f"{VILLARD_INSEE}, {CORRENCON_INSEE}"),
    )

    assert created["spatial_insee"] == [VILLARD_INSEE, CORRENCON_INSEE]


def test_the_siren_of_the_epci_is_accepted_as_area_covered(app, headers, org):
    created = accepted(
        app,
        headers,
        "package_create",
        dataset(org, spatial_insee=[CCMV_SIREN, ENGINS_INSEE, CCMV_SIREN]),
    )

    assert created["spatial_insee"] == [CCMV_SIREN, ENGINS_INSEE]


@pytest.mark.parametrize(
    ("themes", "stored"),
    [
        ("REGI", ["REGI"]),
        (["REGI", "GOVE"], ["GOVE", "REGI"]),
        ("REGI, GOVE", ["GOVE", "REGI"]),
    ],
    ids=["one-string", "list", "text"],
)
def test_themes_are_stored_as_a_list_in_the_order_of_the_choice_list(
    app, headers, org, themes, stored
):
    created = accepted(app, headers, "package_create", dataset(org, theme=themes))

    assert created["theme"] == stored


@pytest.mark.parametrize("written", ["2024-12-31T10:00:00", "20241231", " 2024-12-31 "])
def test_dates_are_stored_as_year_month_day(app, headers, org, written):
    created = accepted(
        app, headers, "package_create", dataset(org, data_updated=written)
    )

    assert created["data_updated"] == "2024-12-31"


def test_a_period_of_one_day_is_accepted(app, headers, org):
    created = accepted(
        app,
        headers,
        "package_create",
        dataset(org, temporal_start="2024-01-01", temporal_end="2024-01-01"),
    )

    assert created["temporal_end"] == "2024-01-01"


def test_a_private_dataset_may_declare_personal_data(app, headers, org):
    created = accepted(
        app,
        headers,
        "package_create",
        dataset(org, personal_data="contains", private=True),
    )

    assert created["personal_data"] == "contains"
    assert created["private"] is True


def test_a_schema_version_written_with_a_v_is_stored_as_numbers(app, headers, org):
    created = accepted(
        app, headers, "package_create", dataset(org, schema_version="v2.1.5")
    )

    assert created["schema_version"] == "2.1.5"


def test_a_resource_checksum_is_stored_as_lowercase_hexadecimal(app, headers, org):
    resource = {
        "url": "https://www.villard-de-lans.fr/deliberations.csv",
        "hash": f"SHA256:{SHA256.upper()}",
    }
    created = accepted(
        app, headers, "package_create", dataset(org, resources=[resource])
    )

    assert created["resources"][0]["hash"] == SHA256


def test_a_resource_of_unknown_format_gets_an_empty_format(app, headers, org):
    # data.gouv.fr's harvester needs a string format on every resource.
    resource = {"url": "https://www.villard-de-lans.fr/api/deliberations"}
    accepted(app, headers, "package_create", dataset(org, resources=[resource]))

    result = shown(app, headers, "package_show", "deliberations")
    assert result["resources"][0]["format"] == ""


DATASET_FIELDS = {
    "notes": "Toutes les délibérations depuis 2020.",
    "theme": ["GOVE", "REGI"],
    "producer_service": "Secrétariat général",
    "contact_name": "Mairie de Villard-de-Lans",
    "contact_email": "donnees@villard-de-lans.fr",
    "provenance": "Registre des délibérations",
    "legal_basis": "republique-numerique",
    "data_updated": "2024-11-30",
    "frequency": "monthly",
    "temporal_start": "2020-01-01",
    "temporal_end": "2024-11-30",
    "spatial_insee": [VILLARD_INSEE, CCMV_SIREN],
    "spatial_granularity": "fr:commune",
    "personal_data": "anonymised",
    "schema_name": "scdl/deliberations",
    "schema_version": "2.1.5",
    "data_temperature": "hot",
    "pivot_data": "false",
    "known_limits": "Les annexes ne sont pas publiées.",
}
RESOURCE_FIELDS = {
    "url": "https://www.villard-de-lans.fr/deliberations.csv",
    "name": "Délibérations 2020-2024",
    "format": "CSV",
    "schema_name": "scdl/deliberations",
    "schema_version": "2.1.5",
    "size": 20480,
    "hash": SHA256,
}


def test_package_show_returns_what_was_sent(app, headers, org):
    fields = dataset(org, **DATASET_FIELDS, resources=[RESOURCE_FIELDS])
    accepted(app, headers, "package_create", fields)

    result = shown(app, headers, "package_show", "deliberations")
    assert {key: result[key] for key in DATASET_FIELDS} == DATASET_FIELDS
    resource = result["resources"][0]
    assert {key: resource[key] for key in RESOURCE_FIELDS} == RESOURCE_FIELDS


def test_what_package_show_returns_can_be_sent_back_unchanged(app, headers, org):
    # package_show mirrors some fields into `extras` for data.gouv.fr: a
    # client that sends the dict back must not be refused for it.
    fields = dataset(org, **DATASET_FIELDS, resources=[RESOURCE_FIELDS])
    accepted(app, headers, "package_create", fields)
    before = shown(app, headers, "package_show", "deliberations")

    accepted(app, headers, "package_update", before)

    after = shown(app, headers, "package_show", "deliberations")
    assert {key: after[key] for key in DATASET_FIELDS} == DATASET_FIELDS
    assert after["extras"] == before["extras"]


# Empty optional fields and the order of the period's dates.


@pytest.mark.parametrize(
    ("field", "empty"),
    [
        ("data_updated", ""),
        ("temporal_start", ""),
        ("temporal_end", ""),
        ("spatial_insee", ""),
        ("spatial_insee", []),
        ("spatial_insee", " , "),
    ],
)
def test_an_optional_field_left_empty_is_accepted(app, headers, org, field, empty):
    # The web form sends every field it shows, empty or not.
    created = accepted(app, headers, "package_create", dataset(org, **{field: empty}))

    assert field not in created or created[field] in ("", [], None)


def test_a_private_dataset_needs_no_personal_data_statement(app, headers, org):
    fields = dataset(org, private=True)
    del fields["personal_data"]

    accepted(app, headers, "package_create", fields)


def test_a_bad_start_date_is_reported_on_the_start_date_only(app, headers, org):
    error = refused(
        app,
        headers,
        "package_create",
        dataset(org, temporal_start="31/12/2020", temporal_end="2024-01-01"),
    )

    assert set(error) == {"temporal_start"}


@pytest.mark.parametrize("start", ["20240101", "2024-01-01T10:00:00"])
def test_a_start_date_in_another_iso_form_is_compared_as_a_date(
    app, headers, org, start
):
    created = accepted(
        app,
        headers,
        "package_create",
        dataset(org, temporal_start=start, temporal_end="2024-01-01"),
    )

    assert created["temporal_start"] == "2024-01-01"
