"""Quality actions: the score of a dataset, the personal-data guard's
findings, confirmations and audit trail, the validation of files against
their national schema (registered with @registry.action)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.quality import (
    jobs,
    measure,
    publication,
    validation,
    validators,
)
from ckanext.opendata_territoire.quality.model import (
    PersonalDataCheck,
    confirmation_of,
    history,
    latest_checks,
    validations,
)

# Texts of criteria.yaml are msgids: translated where they are shown.
translate = tk._

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 2000


def _dataset_id(data_dict: dict[str, Any]) -> str:
    dataset_id = data_dict.get("id")
    if not dataset_id:
        raise tk.ValidationError(
            {"id": [tk._("Missing value: give the id or name of a dataset.")]}
        )
    return str(dataset_id)


@registry.action
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
    dataset_id = _dataset_id(data_dict)
    tk.check_access("territoire_quality_show", context, {"id": dataset_id})
    dataset = tk.get_action("package_show")(dict(context), {"id": dataset_id})
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
        "refused": tk._(
            "Not checked: the link leads to an internal address, which the portal "
            "does not request."
        ),
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


@registry.action
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


@registry.action
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


@registry.action
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
    package = model.Package.get(_dataset_id(data_dict))
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


@registry.action
@tk.chained_action
def bulk_update_public(
    up_func: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    """CKAN's bulk publication of an organization's datasets, refused for a
    dataset one of whose files is blocked by the personal-data guard."""
    # Before any message: names of blocked private datasets are for the
    # organization's editors only.
    if not isinstance(data_dict.get("org_id"), str):
        raise tk.ValidationError({"org_id": [tk._("Must be a text.")]})
    tk.check_access("bulk_update_public", context, data_dict)
    datasets = data_dict.get("datasets")
    if (
        not isinstance(datasets, list)
        or not datasets
        or not all(isinstance(d, str) for d in datasets)
    ):
        raise tk.ValidationError(
            {"datasets": [tk._("Must be a list of dataset ids or names.")]}
        )
    errors = []
    for dataset_id in datasets:
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


def validation_message(result: dict[str, Any]) -> str | None:
    """The outcome of a validation in one sentence."""
    status, reason = result["status"], result["reason"]
    schema = result["schema"] or {}
    named = (
        tk._('the schema "{title}" {version}')
        .format(
            title=schema.get("title") or schema.get("name"),
            version=schema.get("version") or "",
        )
        .strip()
    )
    report = result["report"] or {}
    if status == "pending":
        return tk._("Validation in progress.")
    if status == "valid":
        return tk._("Conforms to {schema}: {rows} rows, {columns} columns.").format(
            schema=named, rows=report["rows"], columns=report["columns"]
        )
    if status == "invalid":
        return tk._(
            "Does not conform to {schema}: {errors} errors in {rows} rows and "
            "{columns} columns."
        ).format(
            schema=named,
            errors=(
                f"{report['error_count']}+"
                if report["errors_truncated"]
                else report["error_count"]
            ),
            rows=report["rows"],
            columns=report["columns"],
        )
    if status == "unsupported":
        return tk._(
            "This file is not validated here: {schema} is not a table schema."
        ).format(schema=named)
    if status == "none":
        return (
            tk._("Only CSV files are validated against their schema.")
            if reason == "format"
            else None
        )
    return {
        "unreachable": tk._("Not validated: the file could not be downloaded."),
        "refused": tk._(
            "Not validated: the link leads to an internal address, which the "
            "portal does not request."
        ),
        "not_stored": tk._("Not validated: the file is not in the portal's storage."),
        "not_a_table": tk._("Not validated: the file could not be read as CSV."),
        "catalog_unreachable": tk._(
            "Not validated: the catalogue of national schemas could not be read."
        ),
        "unknown_schema": tk._(
            'Not validated: the schema "{name}" is not in the catalogue of national '
            "schemas."
        ).format(name=schema.get("name")),
        "unknown_version": tk._(
            'Not validated: the schema "{name}" has no version {version}.'
        ).format(name=schema.get("name"), version=schema.get("version")),
        "schema_unreachable": tk._("Not validated: the schema could not be read."),
        "bad_schema": tk._("Not validated: the schema could not be read."),
    }.get(reason or "", tk._("Not validated: an error occurred; validate again."))


def _described(entry: dict[str, Any]) -> dict[str, Any]:
    message, fix = validation.describe(entry)
    return {**entry, "message": message, "fix": fix}


def _validation_dict(resource: model.Resource) -> dict[str, Any]:
    row = validations([resource.id]).get(resource.id)
    if row is None:
        return {
            "resource_id": resource.id,
            "status": None,
            "reason": None,
            "message": None,
            "schema": None,
            "reachable": None,
            "report": None,
            "queued": None,
            "checked": None,
        }
    result = row.as_dict()
    if result["report"]:
        report = dict(result["report"])
        report["errors"] = [_described(entry) for entry in report["errors"]]
        result["report"] = report
    result["message"] = validation_message(result)
    return result


@registry.action
@tk.side_effect_free
def territoire_validation_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The latest validation of a file: whether it could be downloaded and
    whether it follows the national schema declared on it or its dataset.

    :param id: id of the resource
    :returns: ``{"resource_id", "status" (null: never validated, "pending",
        "valid", "invalid", "error", "unsupported", "none"), "reason",
        "message", "schema": {"name", "version", "title", "url"},
        "reachable", "queued", "checked", "report": {"valid", "rows",
        "columns", "error_count", "errors_truncated", "errors": [{"code",
        "row", "field", "value", ..., "message", "fix"}], "extra_columns",
        "missing_columns", "encoding", "delimiter", "truncated"}}``
    """
    resource = _resource(data_dict)
    tk.check_access("territoire_validation_show", context, {"id": resource.id})
    return _validation_dict(resource)


@registry.action
def territoire_resource_validate(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Validate a file again (e.g. after the catalogue of national schemas was
    out of reach): the job is queued.

    :param id: id of the resource
    :returns: the validation, pending
    """
    resource = _resource(data_dict)
    tk.check_access("territoire_resource_validate", context, {"id": resource.id})
    jobs.schedule_resource(resource.id)
    model.Session.commit()
    return _validation_dict(resource)
