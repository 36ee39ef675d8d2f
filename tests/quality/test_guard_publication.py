"""The personal-data guard at publication, through CKAN's actions and pages:
a file with personal data never becomes public until an editor confirms it
with a reason; who uploaded, who confirmed, why and when are recorded."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from ckan import logic, model
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from tests.quality.conftest import ROLES, complete_fields, context_of, headers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

PERSONS = (
    "Nom;Adresse;Courriel\n"
    "M. Jean Dupont;12 rue des Écoles;jean.dupont@gmail.com\n"
    "Claire MARTIN;3 chemin du Moulin;\n"
)
PUBLIC = (
    "COLL_NOM;COLL_SIRET;titulaire;titulaire_siret;courriel\n"
    "Engins;21380153300016;SARL Dupont Bâtiment;44306184100047;mairie@engins.fr\n"
)


def as_user(territory, role):
    return {"context": context_of(territory, role)}


def create_dataset(territory, name="cantine", private=False, **fields):
    return helpers.call_action(
        "package_create",
        owner_org=territory["a"]["id"],
        name=name,
        title=name,
        private=private,
        **complete_fields(**fields),
        **as_user(territory, "editor_a"),
    )


def upload(territory, dataset, text, name="inscrits.csv", role="editor_a"):
    return helpers.call_action(
        "resource_create",
        package_id=dataset["id"],
        name=name,
        format="CSV",
        upload=FileStorage(io.BytesIO(text.encode("utf-8")), name),
        **as_user(territory, role),
    )


def dataset_of(name):
    return helpers.call_action("package_show", id=name)


def public_names():
    return {d["name"] for d in helpers.call_action("package_search")["results"]}


def guard(territory, resource, role="editor_a"):
    return helpers.call_action(
        "territoire_personal_data_show", id=resource["id"], **as_user(territory, role)
    )


def confirm(territory, resource, reason, role="editor_a"):
    return helpers.call_action(
        "territoire_personal_data_confirm",
        id=resource["id"],
        reason=reason,
        **as_user(territory, role),
    )


def publish(territory, dataset):
    return helpers.call_action(
        "package_patch",
        id=dataset["id"],
        private=False,
        **as_user(territory, "editor_a"),
    )


def test_a_file_without_personal_data_is_published(territory):
    dataset = create_dataset(territory)

    resource = upload(territory, dataset, PUBLIC)

    assert dataset_of("cantine")["private"] is False
    assert "cantine" in public_names()
    found = guard(territory, resource)
    assert (found["check"]["status"], found["check"]["rows_read"]) == ("clear", 1)
    assert found["blocking"] is False


def test_a_file_with_personal_data_makes_its_public_dataset_private(territory):
    dataset = create_dataset(territory)

    resource = upload(territory, dataset, PERSONS)

    assert dataset_of("cantine")["private"] is True
    assert "cantine" not in public_names()
    found = guard(territory, resource)
    assert found["blocking"] is True
    assert found["check"]["suspended"] is True
    assert found["check"]["user"] == territory["people"]["editor_a"]["name"]
    assert [f["message"] for f in found["check"]["findings"]] == [
        'Column "Courriel": e-mail addresses of persons (1), rows 2.',
        'Column "Nom": names of persons next to addresses (column "Adresse") (2), '
        "rows 2, 3.",
    ]


def test_a_pdf_is_not_read(territory):
    dataset = create_dataset(territory)

    resource = helpers.call_action(
        "resource_create",
        package_id=dataset["id"],
        format="PDF",
        upload=FileStorage(io.BytesIO(b"%PDF-1.4 jean.dupont@gmail.com"), "cr.pdf"),
        **as_user(territory, "editor_a"),
    )

    found = guard(territory, resource)["check"]
    assert (found["status"], found["reason"]) == ("unchecked", "format")
    assert found["message"] == "Not checked: only CSV files are read."
    assert dataset_of("cantine")["private"] is False


def test_a_csv_that_is_not_a_table_is_not_checked_and_not_blocked(territory):
    dataset = create_dataset(territory)

    resource = upload(territory, dataset, "jean.dupont@gmail.com\n")

    found = guard(territory, resource)["check"]
    assert (found["status"], found["reason"]) == ("unchecked", "not_a_table")
    assert dataset_of("cantine")["private"] is False


def test_a_linked_file_is_left_to_the_background_job(territory):
    dataset = create_dataset(territory)

    resource = helpers.call_action(
        "resource_create",
        package_id=dataset["id"],
        url="https://www.engins.fr/inscrits.csv",
        format="CSV",
        **as_user(territory, "editor_a"),
    )

    assert guard(territory, resource)["check"] is None
    assert dataset_of("cantine")["private"] is False


def test_a_private_dataset_with_a_blocked_file_cannot_be_made_public(territory):
    dataset = create_dataset(territory, private=True)
    upload(territory, dataset, PERSONS)

    with pytest.raises(logic.ValidationError) as error:
        publish(territory, dataset)

    assert error.value.error_dict["private"] == [
        "This dataset cannot be made public: personal data was found in "
        '"inscrits.csv" and no editor has confirmed it may be published. Remove '
        "it from the file, or confirm on the file's page why it may be published."
    ]
    model.Session.rollback()
    assert dataset_of("cantine")["private"] is True


def test_the_refusal_is_in_french_through_the_api(app, territory):
    dataset = create_dataset(territory, private=True)
    upload(territory, dataset, PERSONS)

    response = app.post(
        "/api/3/action/package_patch",
        headers=headers(territory["people"]["editor_a"]),
        json={"id": "cantine", "private": False},
    )

    assert response.status_code == 409
    assert response.json["error"]["private"][0].startswith(
        "Ce jeu de données ne peut pas être rendu public : des données "
        "personnelles ont été trouvées dans « inscrits.csv »"
    )


def test_other_changes_of_a_blocked_private_dataset_are_saved(territory):
    dataset = create_dataset(territory, private=True)
    upload(territory, dataset, PERSONS)

    helpers.call_action(
        "package_patch",
        id=dataset["id"],
        title="Inscriptions à la cantine",
        **as_user(territory, "editor_a"),
    )

    assert dataset_of("cantine")["title"] == "Inscriptions à la cantine"


def test_an_editor_confirms_with_a_reason_then_publishes(territory):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PERSONS)

    confirmation = confirm(
        territory,
        resource,
        "Les élus municipaux publient leur adresse de permanence.",
    )
    publish(territory, dataset)

    assert confirmation["user"] == territory["people"]["editor_a"]["name"]
    assert confirmation["reason"] == (
        "Les élus municipaux publient leur adresse de permanence."
    )
    assert dataset_of("cantine")["private"] is False
    assert "cantine" in public_names()
    found = guard(territory, resource)
    assert found["blocking"] is False
    assert found["confirmation"]["reason"].startswith("Les élus")


@pytest.mark.parametrize(
    ("reason", "errors"),
    [
        (
            "ok",
            {
                "reason": [
                    "Give the reason why this data may be published, in at "
                    "least 10 characters."
                ]
            },
        ),
        (
            "x" * 2001,
            {"reason": ["The reason has 2001 characters: at most 2000 are allowed."]},
        ),
    ],
)
def test_a_confirmation_needs_a_reason(territory, reason, errors):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PERSONS)

    with pytest.raises(logic.ValidationError) as error:
        confirm(territory, resource, reason)

    assert error.value.error_dict == errors
    assert guard(territory, resource)["blocking"] is True


def test_there_is_nothing_to_confirm_in_a_clear_file(territory):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PUBLIC)

    with pytest.raises(logic.ValidationError) as error:
        confirm(territory, resource, "Rien à signaler ici.")

    assert error.value.error_dict == {
        "id": ["This file has no finding of personal data waiting for a confirmation."]
    }


def test_a_new_file_needs_a_new_confirmation(territory):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PERSONS)
    confirm(territory, resource, "Adresses de permanence des élus.")
    publish(territory, dataset)

    helpers.call_action(
        "resource_patch",
        id=resource["id"],
        upload=FileStorage(io.BytesIO(PERSONS.encode()), "inscrits-2025.csv"),
        **as_user(territory, "editor_a"),
    )

    assert dataset_of("cantine")["private"] is True
    assert guard(territory, resource)["blocking"] is True


def test_the_audit_trail_says_who_and_when(territory):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PERSONS, role="editor_a")
    confirm(territory, resource, "Adresses de permanence des élus.", role="admin_a")

    trail = helpers.call_action(
        "territoire_personal_data_history",
        id="cantine",
        **as_user(territory, "admin_a"),
    )

    (entry,) = trail
    assert entry["resource"] == "inscrits.csv"
    assert entry["user"] == territory["people"]["editor_a"]["name"]
    assert entry["suspended"] is True
    assert entry["created"]
    (confirmation,) = entry["confirmations"]
    assert confirmation["user"] == territory["people"]["admin_a"]["name"]
    assert confirmation["reason"] == "Adresses de permanence des élus."
    assert confirmation["created"] >= entry["created"]


def test_the_organizations_bulk_publication_is_refused_for_a_blocked_dataset(
    territory,
):
    blocked = create_dataset(territory, name="cantine", private=True)
    upload(territory, blocked, PERSONS)
    clear = create_dataset(territory, name="budget", private=True)

    with pytest.raises(logic.ValidationError) as error:
        helpers.call_action(
            "bulk_update_public",
            datasets=[blocked["id"], clear["id"]],
            org_id=territory["a"]["id"],
            **as_user(territory, "admin_a"),
        )

    assert error.value.error_dict["datasets"][0].startswith(
        "cantine: This dataset cannot be made public"
    )
    assert dataset_of("cantine")["private"] is True


# Pages


def page_of(app, url, territory, role="editor_a"):
    return BeautifulSoup(
        app.get(url, headers=headers(territory["people"][role])).body, "html.parser"
    )


def test_the_dataset_page_tells_its_editors_why_it_was_made_private(app, territory):
    dataset = create_dataset(territory)
    upload(territory, dataset, PERSONS)

    notice = page_of(app, "/dataset/cantine", territory).select_one(
        ".territoire-guard-notice"
    )

    assert "Ce jeu de données a été rendu privé" in notice.get_text()
    assert notice.a.get_text() == "inscrits.csv"


def test_the_resource_page_shows_the_findings_to_its_editors(app, territory):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PERSONS)
    url = f"/dataset/cantine/resource/{resource['id']}"

    status = page_of(app, url, territory).select_one(".territoire-guard-status")
    hidden = page_of(app, url, territory, role="member_a")

    assert "Publication bloquée" in status.get_text()
    assert "Colonne « Courriel » : adresses e-mail de personnes (1), lignes 2." in (
        status.get_text()
    )
    assert hidden.select_one(".territoire-guard-status") is None


def test_the_confirmation_form_records_the_reason(app, territory):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PERSONS)
    url = f"/dataset/cantine/resource/{resource['id']}/personal-data"
    editor = headers(territory["people"]["editor_a"])

    refused = app.post(url, headers=editor, data={"reason": "non"})
    accepted = app.post(
        url, headers=editor, data={"reason": "Adresses de permanence des élus."}
    )

    assert "au moins 10 caractères" in refused.body
    page = BeautifulSoup(accepted.body, "html.parser")
    assert "peut être publié" in page.select_one(".territoire-guard-state").get_text()
    history = page.select_one(".territoire-guard-history").get_text(" ", strip=True)
    assert "Confirmé : Adresses de permanence des élus." in history
    assert "le jeu de données a été rendu privé" in history


# Who may see and confirm what the guard found: the editors of the dataset.

EDIT = {
    "anonymous": False,
    "other": False,
    "member_a": False,
    "editor_a": True,
    "admin_a": True,
    "editor_b": False,
    "admin_b": False,
    "epci_admin": False,
    "sysadmin": True,
}


def allowed(territory, auth, role, object_id):
    try:
        helpers.call_auth(auth, context_of(territory, role), id=object_id)
    except logic.NotAuthorized:
        return False
    return True


@pytest.mark.parametrize(
    "auth",
    [
        "territoire_personal_data_show",
        "territoire_personal_data_confirm",
        "territoire_personal_data_history",
    ],
)
def test_auth_matrix_of_the_guard_actions(territory, auth):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PUBLIC)
    object_id = dataset["id"] if auth.endswith("history") else resource["id"]

    result = {role: allowed(territory, auth, role, object_id) for role in ROLES}

    assert result == EDIT


def test_the_guard_page_answers_by_role(app, territory):
    dataset = create_dataset(territory)
    resource = upload(territory, dataset, PUBLIC)
    url = f"/dataset/cantine/resource/{resource['id']}/personal-data"

    statuses = {
        role: app.get(
            url,
            headers=headers(None if role == "anonymous" else territory["people"][role]),
        ).status_code
        for role in ROLES
    }

    assert statuses == {role: 200 if EDIT[role] else 403 for role in ROLES}


def test_a_file_uploaded_through_the_resource_form_is_checked(app, territory):
    create_dataset(territory)

    response = app.post(
        "/dataset/cantine/resource/new",
        headers=headers(territory["people"]["editor_a"]),
        data={
            "id": "",
            "name": "inscrits.csv",
            "format": "CSV",
            "upload": (io.BytesIO(PERSONS.encode("utf-8")), "inscrits.csv"),
            "save": "go-metadata",
        },
    )

    assert response.status_code == 200
    assert dataset_of("cantine")["private"] is True
    page = page_of(app, "/dataset/cantine", territory)
    assert page.select_one(".territoire-guard-notice") is not None
