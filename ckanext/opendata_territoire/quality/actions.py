"""Quality actions: the score of a dataset, the personal-data guard's
findings, confirmations and audit trail (gathered by logic/action.py)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.quality import measure, publication, validators
from ckanext.opendata_territoire.quality.model import (
    PersonalDataCheck,
    confirmation_of,
    history,
    latest_checks,
)

# Texts of criteria.yaml are msgids: translated where they are shown.
translate = tk._

__all__ = [
    "bulk_update_public",
    "territoire_personal_data_confirm",
    "territoire_personal_data_history",
    "territoire_personal_data_show",
    "territoire_quality_show",
]

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 2000


def _dataset(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    dataset_id = data_dict.get("id")
    if not dataset_id:
        raise tk.ValidationError(
            {"id": [tk._("Missing value: give the id or name of a dataset.")]}
        )
    return tk.get_action("package_show")(dict(context), {"id": dataset_id})


@tk.side_effect_free
def territoire_quality_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The quality score of a dataset, with every criterion, whether the
    dataset meets it and how to meet it.

    The score is the percentage of the applicable criteria met; a criterion
    that does not apply to the dataset (``met`` is null) does not count.

    :param id: id or name of the dataset
    :returns: ``{"dataset", "score", "level" ("high", "medium", "low"),
        "met", "applicable", "criteria": [{"id", "label", "description"
        (how to meet it), "met", "facts"}]}``
    """
    tk.check_access("territoire_quality_show", context, data_dict)
    dataset = _dataset(context, data_dict)
    quality = measure.quality_of(dataset)
    return {
        "dataset": dataset["name"],
        **quality,
        "criteria": [
            {
                **criterion,
                "label": translate(criterion["label"]),
                "description": translate(criterion["description"]),
            }
            for criterion in quality["criteria"]
        ],
    }


def _resource(data_dict: dict[str, Any]) -> model.Resource:
    resource_id = data_dict.get("id")
    if not resource_id:
        raise tk.ValidationError(
            {"id": [tk._("Missing value: give the id of a resource.")]}
        )
    resource = model.Resource.get(str(resource_id))
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound(tk._("Resource not found"))
    return resource


def _rows(finding: dict[str, Any]) -> str:
    rows = ", ".join(str(row) for row in finding["rows"])
    return rows + ("…" if finding["count"] > len(finding["rows"]) else "")


def finding_message(finding: dict[str, Any]) -> str:
    """A finding in words: the column, what was found, how many, where."""
    what = {
        "email": tk._("e-mail addresses of persons"),
        "mobile_phone": tk._("mobile phone numbers"),
        "phone": tk._("phone numbers next to names of persons"),
        "nir": tk._("social security numbers (NIR)"),
        "birth_date": tk._("dates of birth"),
        "person_address": tk._(
            'names of persons next to addresses (column "{address}")'
        ).format(address=finding.get("address_column")),
    }[finding["kind"]]
    return tk._('Column "{column}": {what} ({count}), rows {rows}.').format(
        column=finding["column"], what=what, count=finding["count"], rows=_rows(finding)
    )


def unchecked_message(reason: str | None) -> str:
    return {
        "format": tk._("Not checked: only CSV files are read."),
        "unreachable": tk._("Not checked: the link could not be read."),
        "not_stored": tk._("Not checked: the file is not in the portal's storage."),
        "not_a_table": tk._("Not checked: the file could not be read as CSV."),
    }.get(reason or "", tk._("Not checked."))


def _check_dict(check: PersonalDataCheck) -> dict[str, Any]:
    result = check.as_dict()
    result["findings"] = [
        {**finding, "message": finding_message(finding)}
        for finding in result["findings"]
    ]
    result["message"] = (
        unchecked_message(result["reason"]) if result["status"] == "unchecked" else None
    )
    return result


@tk.side_effect_free
def territoire_personal_data_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """What the personal-data guard found in the current content of a file.

    :param id: id of the resource
    :returns: ``{"resource_id", "check", "blocking", "confirmation"}``:
        ``check`` is null when the file was never checked, else ``{"status"
        ("clear", "findings", "unchecked"), "reason", "message", "findings":
        [{"kind", "column", "count", "rows", "message"}], "rows_read",
        "suspended", "user", "created"}``; ``blocking``: whether the findings
        stop the dataset from being public; ``confirmation``: who confirmed
        they may be published, why and when
    """
    resource = _resource(data_dict)
    tk.check_access("territoire_personal_data_show", context, {"id": resource.id})
    check = latest_checks([resource.id]).get(resource.id)
    confirmation = confirmation_of(str(check.id)) if check else None
    return {
        "resource_id": resource.id,
        "check": _check_dict(check) if check else None,
        "blocking": publication.blocks(check),
        "confirmation": confirmation.as_dict() if confirmation else None,
    }


def territoire_personal_data_confirm(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Confirm that what the personal-data guard found in a file may be
    published (the data is public, or not about persons), with the reason.
    Recorded with who and when; the dataset can then be made public.

    :param id: id of the resource
    :param reason: why the findings may be published (10 to 2,000
        characters)
    :returns: the confirmation: ``{"check_id", "reason", "user",
        "user_display_name", "created"}``
    """
    resource = _resource(data_dict)
    tk.check_access("territoire_personal_data_confirm", context, {"id": resource.id})
    check = latest_checks([resource.id]).get(resource.id)
    errors: dict[str, list[str]] = {}
    if not publication.blocks(check):
        errors["id"] = [
            tk._(
                "This file has no finding of personal data waiting for a confirmation."
            )
        ]
    reason = data_dict.get("reason")
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) < REASON_MIN_LENGTH:
        errors["reason"] = [
            tk._(
                "Give the reason why this data may be published, in at least "
                "{minimum} characters."
            ).format(minimum=REASON_MIN_LENGTH)
        ]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = [
            tk._(
                "The reason has {length} characters: at most {maximum} are allowed."
            ).format(length=len(reason), maximum=REASON_MAX_LENGTH)
        ]
    if errors:
        raise tk.ValidationError(errors)
    assert check is not None
    user = model.User.get(context.get("user") or "")
    return publication.confirm(check, user.id if user else None, reason)


@tk.side_effect_free
def territoire_personal_data_history(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """The audit trail of the personal-data guard on a dataset: every check
    that found something or made the dataset private, newest first, each
    with who saved the file and when, and the confirmations given.

    :param id: id or name of the dataset
    :returns: ``[{"resource_id", "resource", "status", "findings",
        "suspended", "user", "created", "confirmations": [{"reason", "user",
        "user_display_name", "created"}]}]``
    """
    package = model.Package.get(str(data_dict.get("id") or ""))
    if package is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    tk.check_access("territoire_personal_data_history", context, {"id": package.id})
    trail = []
    for check, confirmations in history(package.id):
        labels = publication.resource_labels([str(check.resource_id)])
        trail.append(
            {
                **_check_dict(check),
                "resource": labels[0] if labels else None,
                "confirmations": [c.as_dict() for c in confirmations],
            }
        )
    return trail


@tk.chained_action
def bulk_update_public(
    up_func: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    """CKAN's bulk publication of an organization's datasets, refused for a
    dataset one of whose files is blocked by the personal-data guard."""
    errors = []
    for dataset_id in data_dict.get("datasets") or []:
        package = model.Package.get(str(dataset_id))
        if package is None:
            continue
        blocked = publication.blocking(
            r.id for r in package.resources if r.state == "active"
        )
        if blocked:
            errors.append(
                f"{package.name}: "
                + validators.blocked_message(publication.resource_labels(blocked))
            )
    if errors:
        raise tk.ValidationError({"datasets": errors})
    return up_func(context, data_dict)
