"""Questions and problems on a dataset: a reuser writes, the organization's
editors and admins get an e-mail (through CKAN's mailer and a real local SMTP
server), answer publicly, and the reuser gets the answer by e-mail."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan import logic, model

from tests.people import headers
from tests.usage.conftest import Mailbox, call_as, free_port

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

QUESTION = "Le budget 2024 inclut-il les budgets annexes de l'eau ?"


def email_of(catalogue, role: str) -> str:
    return str(model.User.get(catalogue["people"][role]["name"]).email)


def ask(catalogue, role="other", dataset="budget-engins", **fields):
    return call_as(
        catalogue,
        role,
        "territoire_feedback_create",
        dataset=dataset,
        **{"kind": "question", "message": QUESTION, **fields},
    )


def feedback_section(app, name, user=None):
    page = app.get(f"/dataset/{name}", headers=headers(user))
    return BeautifulSoup(page.body, "html.parser").find(id="feedback")


def test_a_question_mails_the_editors_and_admins_of_the_organization(
    catalogue, mailbox
):
    result = ask(catalogue)

    assert result["notified"] == 2
    recipients = {
        role: len(mailbox.to(email_of(catalogue, role)))
        for role in ("editor_a", "admin_a", "member_a", "epci_admin", "editor_b")
    }
    assert recipients == {
        "editor_a": 1,
        "admin_a": 1,
        "member_a": 0,
        "epci_admin": 0,
        "editor_b": 0,
    }
    mail = mailbox.to(email_of(catalogue, "editor_a"))[0]
    assert "Budget engins" in mail["Subject"]
    body = Mailbox.text(mail)
    assert QUESTION in body
    assert "http://test.ckan.net/dataset/budget-engins#feedback" in body


def test_the_question_is_shown_on_the_dataset_page(app, catalogue, mailbox):
    ask(catalogue)

    section = feedback_section(app, "budget-engins")

    assert QUESTION in section.text
    assert "Question" in section.text


def test_the_answer_is_public_and_mailed_to_the_reuser(app, catalogue, mailbox):
    question = ask(catalogue)

    answered = call_as(
        catalogue,
        "editor_a",
        "territoire_feedback_answer",
        id=question["id"],
        answer="Non : les budgets annexes sont dans un autre jeu de données.",
    )

    assert answered["state"] == "answered"
    assert answered["notified"] == 1
    section = feedback_section(app, "budget-engins")
    assert "les budgets annexes sont dans un autre jeu" in section.text
    mails = mailbox.to(email_of(catalogue, "other"))
    assert len(mails) == 1
    assert "les budgets annexes sont dans un autre jeu" in Mailbox.text(mails[0])


def test_a_hidden_message_is_shown_to_the_editors_only(app, catalogue, mailbox):
    question = ask(catalogue, message="Achetez mes montres sur example.com")

    call_as(catalogue, "admin_a", "territoire_feedback_hide", id=question["id"])

    assert "montres" not in feedback_section(app, "budget-engins").text
    editor = catalogue["people"]["editor_a"]
    assert "montres" in feedback_section(app, "budget-engins", editor).text
    assert (
        call_as(catalogue, None, "territoire_feedback_list", dataset="budget-engins")
        == []
    )


def test_a_problem_can_name_a_resource_of_the_dataset(catalogue, mailbox):
    resource = call_as(
        catalogue,
        "sysadmin",
        "resource_create",
        package_id="budget-engins",
        url="https://example.org/budget.csv",
        name="budget.csv",
        format="CSV",
    )

    problem = ask(
        catalogue,
        kind="problem",
        message="La colonne montant est vide.",
        resource_id=resource["id"],
    )

    assert (problem["kind"], problem["resource_name"]) == ("problem", "budget.csv")


def test_wrong_fields_are_named_with_their_rule(catalogue, mailbox):
    other = call_as(
        catalogue,
        "sysadmin",
        "resource_create",
        package_id="menus-villard",
        url="https://example.org/menus.csv",
    )

    with pytest.raises(logic.ValidationError) as error:
        ask(catalogue, kind="praise", message="  ", resource_id=other["id"])

    assert error.value.error_dict == {
        "kind": [
            '"praise" is not a kind of message. Allowed kinds: question, problem.'
        ],
        "message": ["Missing value."],
        "resource_id": [f'"{other["id"]}" is not a resource of this dataset.'],
    }
    assert mailbox.messages == []


def test_errors_are_in_french_through_the_api(app, catalogue, mailbox):
    response = app.post(
        "/api/3/action/territoire_feedback_create",
        headers=headers(catalogue["people"]["other"]),
        json={"dataset": "budget-engins", "kind": "praise", "message": "x" * 2001},
    )

    assert response.status_code == 409
    assert response.json["error"] == {
        "__type": "Validation Error",
        "kind": [
            "« praise » n'est pas un type de message. Types autorisés : "
            "question, problem."
        ],
        "message": ["2001 caractères : 2000 au plus sont autorisés."],
    }


def test_the_message_is_kept_when_the_mail_cannot_be_sent(
    catalogue, ckan_config, monkeypatch
):
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")

    result = ask(catalogue)

    assert result["notified"] == 0
    listed = call_as(
        catalogue, None, "territoire_feedback_list", dataset="budget-engins"
    )
    assert [m["message"] for m in listed] == [QUESTION]


def test_the_form_sends_a_question_and_comes_back_to_it(app, catalogue, mailbox):
    other = catalogue["people"]["other"]
    page = feedback_section(app, "budget-engins", other)
    assert page.find("form", class_="territoire-feedback-form") is not None

    response = app.post(
        "/dataset/budget-engins/feedback",
        headers=headers(other),
        data={"kind": "problem", "message": "Le fichier ne s'ouvre pas."},
        follow_redirects=False,
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dataset/budget-engins#feedback")
    assert "Le fichier ne s'ouvre pas." in feedback_section(app, "budget-engins").text
    assert len(mailbox.messages) == 2


def test_anonymous_visitors_are_invited_to_sign_in(app, catalogue):
    section = feedback_section(app, "budget-engins")

    assert section.find("form") is None
    assert "Connectez-vous pour poser une question" in section.text


def test_editors_answer_from_the_dataset_page(app, catalogue, mailbox):
    question = ask(catalogue)
    editor = catalogue["people"]["editor_a"]
    assert feedback_section(app, "budget-engins", editor).find(
        id=f"answer-{question['id']}"
    )

    app.post(
        f"/dataset/budget-engins/feedback/{question['id']}/answer",
        headers=headers(editor),
        data={"answer": "Oui, depuis 2023."},
    )

    assert "Oui, depuis 2023." in feedback_section(app, "budget-engins").text


def test_a_pending_reuse_mails_the_moderators(catalogue, mailbox):
    call_as(
        catalogue,
        "other",
        "territoire_reuse_create",
        title="Carte",
        url="https://carte.example.org",
        type="application",
        datasets=["budget-engins"],
    )

    mails = mailbox.to(email_of(catalogue, "admin_a"))
    assert len(mails) == 1
    assert "http://test.ckan.net/organization/engins/reuses" in Mailbox.text(mails[0])
    assert len(mailbox.messages) == 2
