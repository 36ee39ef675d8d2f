"""What the personal-data guard finds in a table, and what it lets through:
common public data that looks like personal data (the SIRET of firms, the
service e-mail of a town hall, a facility's landline, facilities next to
their address, aggregated first names) is not reported."""

from __future__ import annotations

import pytest

from ckanext.opendata_territoire.quality import content, guard


def findings(text: str) -> list[dict]:
    table = content.parse(text.encode("utf-8"), max_rows=1000)
    return guard.inspect(table.header, table.rows)


def kinds(text: str) -> set[tuple[str, str]]:
    return {(f["kind"], f["column"]) for f in findings(text)}


# What is found


def test_e_mail_addresses_of_persons_are_found_with_their_rows():
    found = findings(
        "inscrit;courriel\n"
        "1;jean.dupont@gmail.com\n"
        "2;mairie@engins.fr\n"
        "3;Contact : claire.martin@laposte.net\n"
        "4;\n"
    )

    assert found == [
        {"kind": "email", "column": "courriel", "count": 2, "rows": [2, 4]}
    ]


@pytest.mark.parametrize(
    "address",
    [
        "jean.dupont@engins.fr",
        "j.dupont@villard-de-lans.fr",
        "dupont.sophie@orange.fr",
        "kevin38@hotmail.fr",
        "lea-moreau@free.fr",
    ],
)
def test_personal_addresses(address):
    assert guard.is_personal_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "mairie@villard-de-lans.fr",
        "contact@engins.fr",
        "accueil.mairie@orange.fr",
        "mairie.engins@wanadoo.fr",
        "secretariat-mairie@free.fr",
        "urbanisme@ccmv.fr",
        "etat-civil@lans-en-vercors.fr",
        "piscine@villard-de-lans.fr",
        "donnees@ccmv.fr",
        "dupont@engins.fr",
    ],
)
def test_service_addresses_of_a_town_hall_are_not_personal(address):
    assert not guard.is_personal_email(address)


def test_mobile_numbers_are_found():
    found = findings(
        "nom_equipement,telephone\n"
        "Camping,06 12 34 56 78\n"
        "Gîte,+33 7 98 76 54 32\n"
        "Gymnase,04 76 95 10 38\n"
    )

    assert found == [
        {"kind": "mobile_phone", "column": "telephone", "count": 2, "rows": [2, 3]}
    ]


def test_a_landline_next_to_names_of_persons_is_found():
    assert kinds(
        "prenom,nom,tel\nJean,Dupont,04 76 95 10 38\nSophie,Martin,0476951039\n"
    ) >= {("phone", "tel")}


def test_social_security_numbers_are_found_when_their_key_is_right():
    found = findings(
        "agent,numero\na,1 84 12 76 451 089 46\nb,185127645108999\nc,2850238123456 04\n"
    )

    assert found == [{"kind": "nir", "column": "numero", "count": 2, "rows": [2, 4]}]


def test_a_nir_without_its_key_is_found_in_a_column_named_so():
    assert kinds("agent;NIR\nA;1841276451089\n") == {("nir", "NIR")}


def test_dates_of_birth_are_found():
    found = findings(
        "enfant,date_naissance,lieu de naissance\n"
        "1,2016-04-12,Grenoble\n"
        "2,03/09/2017,Voiron\n"
    )

    assert found == [
        {"kind": "birth_date", "column": "date_naissance", "count": 2, "rows": [2, 3]}
    ]


def test_names_of_persons_next_to_addresses_are_found():
    found = findings(
        "Nom;Adresse;Commune\n"
        "M. Jean Dupont;12 rue des Écoles;Engins\n"
        "Claire MARTIN;3 chemin du Moulin;Engins\n"
        "DUPONT Sophie;lieu-dit Les Jarrands;Engins\n"
    )

    assert found == [
        {
            "kind": "person_address",
            "column": "Nom",
            "count": 3,
            "rows": [2, 3, 4],
            "address_column": "Adresse",
        }
    ]


def test_first_names_next_to_street_addresses_are_found():
    assert kinds("prenom,nom_famille,domicile\nJean,Dupont,12 rue des Écoles\n") == {
        ("person_address", "prenom")
    }


def test_only_the_first_five_rows_are_named():
    rows = "".join(f"{i};06 12 34 56 {i:02d}\n" for i in range(8))

    (found,) = findings("id;portable\n" + rows)

    assert (found["count"], found["rows"]) == (8, [2, 3, 4, 5, 6])


# What is let through


def test_the_siret_and_addresses_of_firms_are_not_personal_data():
    assert (
        findings(
            "titulaire_nom,titulaire_siret,adresse,montant\n"
            "SARL Dupont Bâtiment,44306184100047,12 rue des Artisans,45000\n"
            "Boulangerie Martin,81234567800012,3 place du Marché,1200\n"
            "VERCORS TP SAS,38012345600026,ZA des Geymonds,98000\n"
        )
        == []
    )


def test_a_town_halls_contact_details_are_not_personal_data():
    assert (
        findings(
            "COLL_NOM;COLL_SIRET;courriel;telephone\n"
            "Engins;21380153300016;mairie@engins.fr;04 76 94 40 75\n"
            "Villard-de-Lans;21380548400013;accueil.mairie@orange.fr;0476951038\n"
        )
        == []
    )


def test_facilities_next_to_their_address_are_not_persons():
    assert (
        findings(
            "COLL_NOM,EQUIP_NOM,ADR_NUMERO,ADR_NOMVOIE,EQUIP_TEL,EQUIP_EMAIL\n"
            "Engins,Gymnase Jean Moulin,12,rue Jean Jaurès,04 76 95 10 38,"
            "gymnase@engins.fr\n"
            "Engins,Salle des fêtes,1,place de la Mairie,,mairie@engins.fr\n"
        )
        == []
    )


def test_subsidies_to_associations_and_aggregated_first_names_are_let_through():
    assert (
        findings(
            "nomAttribuant,idAttribuant,nomBeneficiaire,idBeneficiaire,montant\n"
            "Engins,21380153300016,Association sportive d'Engins,"
            "41234567800019,1500\n"
        )
        == []
    )
    assert (
        findings(
            "COMMUNE_NOM,COLL_INSEE,ENFANT_SEXE,ENFANT_PRENOM,NOMBRE_OCCURRENCES\n"
            "Engins,38153,F,Louise,3\n"
        )
        == []
    )


def test_deliberations_are_let_through():
    assert (
        findings(
            "COLL_NOM,COLL_SIRET,DELIB_ID,DELIB_DATE,DELIB_OBJET\n"
            "Engins,21380153300016,2024-01,2024-01-15,Vote du budget primitif\n"
        )
        == []
    )


# Reading the file


def test_a_windows_1252_file_with_semicolons_is_read():
    raw = "Nom;Prénom;Adresse\nDupont;Jean;12 rue des Écoles\n".encode("cp1252")

    table = content.parse(raw, max_rows=10)

    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.header == ["Nom", "Prénom", "Adresse"]
    assert table.rows == [["Dupont", "Jean", "12 rue des Écoles"]]


def test_a_utf8_file_with_a_byte_order_mark_is_read():
    table = content.parse("\ufeffa,b\n1,2\n".encode(), max_rows=10)

    assert (table.header, table.encoding) == (["a", "b"], "utf-8")


def test_the_cut_last_line_of_a_head_is_dropped():
    table = content.parse(b"a,b\n1,2\n3,4", max_rows=10, truncated=True)

    assert table.rows == [["1", "2"]]


@pytest.mark.parametrize("raw", [b"%PDF-1.4\x00\x01", b"", b"justoneword\n"])
def test_what_is_not_a_csv_table_is_unreadable(raw):
    with pytest.raises(content.Unreadable) as error:
        content.parse(raw, max_rows=10)

    assert error.value.reason == "not_a_table"
