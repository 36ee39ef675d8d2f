"""Questions and problems reusers report on a dataset, and the publisher's
public answer.

Anyone who may read the dataset reads them; a signed-in reader writes one;
the editors and admins of the dataset's organization are mailed, answer
publicly, or hide what should not be shown (spam, personal data). The reuser
is mailed the answer.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.usage import notify, reuses
from ckanext.opendata_territoire.usage.model import (
    ANSWERED,
    HIDDEN,
    OPEN,
    Feedback,
    now,
)

KINDS = ("question", "problem")
MESSAGE_MAX_LENGTH = 2000


def kind_labels() -> dict[str, str]:
    return {"question": tk._("Question"), "problem": tk._("Problem")}


def _message(value: Any, key: str, errors: dict[str, list[str]]) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = [tk._("Must be text.")]
        return ""
    value = value.strip()
    if not value:
        errors[key] = [tk._("Missing value.")]
    elif len(value) > MESSAGE_MAX_LENGTH:
        errors[key] = [
            tk._("{length} characters: at most {maximum} are allowed.").format(
                length=len(value), maximum=MESSAGE_MAX_LENGTH
            )
        ]
    return value


def checked(
    data_dict: dict[str, Any], package: model.Package
) -> tuple[str, str, str | None]:
    """kind, message and resource id, or a ValidationError naming each wrong
    field and its rule."""
    errors: dict[str, list[str]] = {}
    kind = data_dict.get("kind")
    allowed = ", ".join(KINDS)
    if kind in (None, ""):
        errors["kind"] = [
            tk._("Missing value. Allowed kinds: {allowed}.").format(allowed=allowed)
        ]
    elif kind not in KINDS:
        errors["kind"] = [
            tk._(
                '"{value}" is not a kind of message. Allowed kinds: {allowed}.'
            ).format(value=kind, allowed=allowed)
        ]
    message = _message(data_dict.get("message"), "message", errors)
    resource_id = str(data_dict.get("resource_id") or "") or None
    if resource_id is not None:
        resource = model.Resource.get(resource_id)
        if resource is None or resource.package_id != package.id:
            errors["resource_id"] = [
                tk._('"{value}" is not a resource of this dataset.').format(
                    value=resource_id
                )
            ]
    if errors:
        raise tk.ValidationError(errors)
    return str(kind), message, resource_id


def checked_answer(data_dict: dict[str, Any]) -> str:
    errors: dict[str, list[str]] = {}
    answer = _message(data_dict.get("answer"), "answer", errors)
    if errors:
        raise tk.ValidationError(errors)
    return answer


def _user(reference: Any) -> model.User | None:
    """The user of a name or id (None for none)."""
    return model.User.get(str(reference)) if reference else None


def as_dict(row: Feedback) -> dict[str, Any]:
    author = _user(row.user_id)
    answerer = _user(row.answered_by)
    resource = model.Resource.get(row.resource_id) if row.resource_id else None
    return {
        "id": row.id,
        "dataset": model.Package.get(row.package_id).name,
        "resource_id": row.resource_id,
        "resource_name": resource.name if resource else None,
        "kind": row.kind,
        "kind_label": kind_labels().get(str(row.kind), str(row.kind)),
        "message": row.message,
        "user": author.name if author else None,
        "user_display_name": author.display_name if author else None,
        "created": row.created.isoformat(),
        "state": row.state,
        "answer": row.answer,
        "answered_by": answerer.display_name if answerer else None,
        "answered": row.answered.isoformat() if row.answered else None,
    }


def create(
    package: model.Package,
    kind: str,
    message: str,
    resource_id: str | None,
    user_name: str | None,
) -> tuple[Feedback, int]:
    """Store the message and mail the organization's editors; the row and the
    number of mails sent."""
    author = _user(user_name)
    row = Feedback(
        package_id=package.id,
        resource_id=resource_id,
        kind=kind,
        message=message,
        user_id=author.id if author else None,
        created=now(),
        state=OPEN,
    )
    model.Session.add(row)
    model.Session.commit()
    org = model.Group.get(package.owner_org) if package.owner_org else None
    if org is None:
        return row, 0
    subject = tk._('[{site}] {kind} about "{dataset}"').format(
        site=tk.config.get("ckan.site_title"),
        kind=kind_labels()[kind],
        dataset=package.title or package.name,
    )
    body = tk._(
        '{author} wrote about the dataset "{dataset}" of {organization}:\n\n'
        "{message}\n\n"
        "Answer publicly on the dataset's page: {url}\n"
    ).format(
        author=author.display_name if author else tk._("A reuser"),
        dataset=package.title or package.name,
        organization=org.title or org.name,
        message=message,
        url=notify.dataset_url(package, "#feedback"),
    )
    return row, notify.send(notify.editors(org.id), subject, body)


def answer(row: Feedback, text: str, user_name: str | None) -> int:
    """Store the public answer and mail it to the reuser; the number of mails
    sent."""
    answerer = _user(user_name)
    model.Session.query(Feedback).filter_by(id=row.id).update(
        {
            "answer": text,
            "answered_by": answerer.id if answerer else None,
            "answered": now(),
            "state": ANSWERED,
        }
    )
    model.Session.commit()
    author = _user(row.user_id)
    if author is None or not author.email:
        return 0
    package = model.Package.get(row.package_id)
    subject = tk._('[{site}] Answer about "{dataset}"').format(
        site=tk.config.get("ckan.site_title"), dataset=package.title or package.name
    )
    body = tk._(
        'The publisher of "{dataset}" answered your message:\n\n{answer}\n\n'
        "See it on the dataset's page: {url}\n"
    ).format(
        dataset=package.title or package.name,
        answer=text,
        url=notify.dataset_url(package, "#feedback"),
    )
    return notify.send([author], subject, body)


def hide(row: Feedback) -> None:
    model.Session.query(Feedback).filter_by(id=row.id).update({"state": HIDDEN})
    model.Session.commit()


def for_dataset(package: model.Package, user_name: str | None) -> list[Feedback]:
    """The messages on a dataset, newest first; the hidden ones only for its
    moderators."""
    query = model.Session.query(Feedback).filter(Feedback.package_id == package.id)
    if not reuses.can_moderate(user_name, package):
        query = query.filter(Feedback.state != HIDDEN)
    return query.order_by(Feedback.created.desc(), Feedback.id).all()
