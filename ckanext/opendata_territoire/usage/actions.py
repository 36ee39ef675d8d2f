"""The usage actions: reuses, reusers' questions and problems, usage figures
(registered with @registry.action)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.territory import roles
from ckanext.opendata_territoire.usage import feedback, figures, publisher, reuses
from ckanext.opendata_territoire.usage.model import (
    LINK_STATES,
    PUBLISHED,
    Feedback,
    Reuse,
    ReuseDataset,
)

LIST_LIMIT = 1000
WEEKS_DEFAULT = 12
WEEKS_MAX = 104


def _reuse(data_dict: dict[str, Any]) -> Reuse:
    reuse = model.Session.get(Reuse, str(data_dict.get("id") or ""))
    if reuse is None:
        raise tk.ObjectNotFound(tk._("Reuse not found"))
    return reuse


def _visible_reuse(context: dict[str, Any], data_dict: dict[str, Any]) -> Reuse:
    reuse = _reuse(data_dict)
    if not reuses.visible(roles.user_name(context), reuse):
        raise tk.ObjectNotFound(tk._("Reuse not found"))
    return reuse


def _limit(value: Any) -> int:
    if value in (None, ""):
        return LIST_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError, OverflowError):
        limit = 0
    if not 1 <= limit <= LIST_LIMIT:
        raise tk.ValidationError(
            {
                "limit": [
                    tk._("Must be a whole number from 1 to {maximum}.").format(
                        maximum=LIST_LIMIT
                    )
                ]
            }
        )
    return limit


@registry.action
def territoire_reuse_create(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Declare a reuse of one or more datasets. Each dataset's organization
    publishes or refuses it; a dataset its declarer may moderate is published
    at once.

    :param title: the reuse's title (at most 200 characters)
    :param url: its address (http or https)
    :param type: ``application``, ``visualisation``, ``article``, ``api`` or
        ``other``
    :param author: who made it (optional)
    :param image_url: address of an image (optional, http or https)
    :param description: a short description (optional, at most 2,000
        characters)
    :param datasets: the datasets reused (ids, names or page addresses; a
        list or one per line), at most 20
    :returns: the reuse, each dataset with its state (``pending`` or
        ``published``)
    """
    tk.check_access("territoire_reuse_create", context, data_dict)
    user_name = roles.user_name(context)
    fields, packages = reuses.checked(data_dict, user_name)
    reuse = reuses.create(fields, packages, user_name)
    reuses.notify_moderators(reuse)
    return reuses.as_dict(reuse, user_name)


@registry.action
@tk.side_effect_free
def territoire_reuse_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """A reuse with the datasets the user may see (published links; the
    declarer and the moderators also see the pending and refused ones).

    :param id: the reuse's id
    """
    tk.check_access("territoire_reuse_show", context, data_dict)
    return reuses.as_dict(_visible_reuse(context, data_dict), roles.user_name(context))


def _package(reference: Any) -> model.Package:
    package = model.Package.get(str(reference or ""))
    if package is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


@registry.action
@tk.side_effect_free
def territoire_reuse_list(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """The reuses of the catalogue, newest first: the published ones, or the
    pending or refused ones of an organization's datasets for its editors.

    :param dataset: only the reuses of this dataset (optional)
    :param organization: only the reuses of this organization's datasets
        (optional; required for ``pending`` and ``refused``)
    :param state: ``published`` (default), ``pending`` or ``refused``
    :param limit: at most this many (default and maximum 1,000)
    """
    tk.check_access("territoire_reuse_list", context, data_dict)
    user_name = roles.user_name(context)
    state = str(data_dict.get("state") or PUBLISHED)
    if state not in LINK_STATES:
        raise tk.ValidationError(
            {
                "state": [
                    tk._('"{value}" is not a state. Allowed states: {allowed}.').format(
                        value=state, allowed=", ".join(LINK_STATES)
                    )
                ]
            }
        )
    limit = _limit(data_dict.get("limit"))
    package = _package(data_dict["dataset"]) if data_dict.get("dataset") else None
    organization = None
    if data_dict.get("organization"):
        organization = roles.organization(str(data_dict["organization"]))
        if organization is None:
            raise tk.ObjectNotFound(tk._("Organization not found"))
    if state != PUBLISHED:
        if organization is None:
            raise tk.ValidationError(
                {
                    "organization": [
                        tk._(
                            "Missing value: the pending and refused reuses are "
                            "listed per organization."
                        )
                    ]
                }
            )
        tk.check_access(
            "territoire_reuse_moderate", context, {"organization": organization.id}
        )
    if package is not None and not reuses.can_read(user_name, package):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    found = reuses.find(user_name, state, package, organization)
    return [reuses.as_dict(reuse, user_name) for reuse in found[:limit]]


@registry.action
def territoire_reuse_moderate(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Publish or refuse a reuse of one of the organization's datasets (a
    published reuse can be refused later, and the other way round).

    :param id: the reuse's id
    :param dataset: id or name of the dataset
    :param decision: ``publish`` or ``refuse``
    :returns: the reuse as the moderator sees it
    """
    reuse = _reuse(data_dict)
    package = _package(data_dict.get("dataset"))
    tk.check_access(
        "territoire_reuse_moderate", context, {"id": reuse.id, "dataset": package.id}
    )
    link = model.Session.get(ReuseDataset, (reuse.id, package.id))
    if link is None:
        raise tk.ValidationError(
            {
                "dataset": [
                    tk._('The reuse does not name the dataset "{value}".').format(
                        value=package.name
                    )
                ]
            }
        )
    decision = data_dict.get("decision")
    if not isinstance(decision, str) or decision not in reuses.DECISIONS:
        raise tk.ValidationError(
            {
                "decision": [
                    tk._(
                        '"{value}" is not a decision. Allowed decisions: {allowed}.'
                    ).format(
                        value=decision if isinstance(decision, str) else "",
                        allowed=", ".join(reuses.DECISIONS),
                    )
                ]
            }
        )
    reuses.moderate(link, str(decision), roles.user_name(context))
    return reuses.as_dict(reuse, roles.user_name(context))


@registry.action
def territoire_reuse_delete(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Delete a reuse (its declarer, sysadmins).

    :param id: the reuse's id
    """
    reuse = _reuse(data_dict)
    tk.check_access("territoire_reuse_delete", context, {"id": reuse.id})
    model.Session.delete(reuse)
    model.Session.commit()
    return {"id": reuse.id, "deleted": True}


def _feedback(data_dict: dict[str, Any]) -> Feedback:
    row = model.Session.get(Feedback, str(data_dict.get("id") or ""))
    if row is None:
        raise tk.ObjectNotFound(tk._("Message not found"))
    return row


@registry.action
def territoire_feedback_create(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Ask a question or report a problem on a dataset; the editors and
    admins of its organization are mailed. The message is public (shown to
    whoever may read the dataset).

    :param dataset: id or name of the dataset
    :param kind: ``question`` or ``problem``
    :param message: the text (at most 2,000 characters)
    :param resource_id: the resource it is about (optional)
    :returns: the stored message, with ``notified``: the number of editors
        mailed
    """
    package = _package(data_dict.get("dataset"))
    tk.check_access("territoire_feedback_create", context, {"dataset": package.id})
    kind, message, resource_id = feedback.checked(data_dict, package)
    row, sent = feedback.create(
        package, kind, message, resource_id, roles.user_name(context)
    )
    return {**feedback.as_dict(row), "notified": sent}


@registry.action
@tk.side_effect_free
def territoire_feedback_list(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """The questions and problems reported on a dataset, newest first, with
    their answers (the hidden ones only for the organization's editors).

    :param dataset: id or name of the dataset
    """
    package = _package(data_dict.get("dataset"))
    tk.check_access("territoire_feedback_list", context, {"dataset": package.id})
    return [
        feedback.as_dict(row)
        for row in feedback.for_dataset(package, roles.user_name(context))
    ]


@registry.action
def territoire_feedback_answer(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Answer a question or problem publicly (a new answer replaces the
    earlier one); the reuser is mailed the answer.

    :param id: the message's id
    :param answer: the text (at most 2,000 characters)
    :returns: the message with its answer, and ``notified``
    """
    row = _feedback(data_dict)
    tk.check_access("territoire_feedback_answer", context, {"id": row.id})
    text = feedback.checked_answer(data_dict)
    sent = feedback.answer(row, text, roles.user_name(context))
    model.Session.refresh(row)
    return {**feedback.as_dict(row), "notified": sent}


@registry.action
def territoire_feedback_hide(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Take a message off the dataset's page (spam, personal data); the
    organization's editors still see it.

    :param id: the message's id
    """
    row = _feedback(data_dict)
    tk.check_access("territoire_feedback_hide", context, {"id": row.id})
    feedback.hide(row)
    model.Session.refresh(row)
    return feedback.as_dict(row)


def weeks_of(data_dict: dict[str, Any]) -> int:
    value = data_dict.get("weeks")
    if value in (None, ""):
        return WEEKS_DEFAULT
    try:
        weeks = int(str(value))
    except (TypeError, ValueError):
        weeks = 0
    if not 1 <= weeks <= WEEKS_MAX:
        raise tk.ValidationError(
            {
                "weeks": [
                    tk._("Must be a whole number from 1 to {maximum}.").format(
                        maximum=WEEKS_MAX
                    )
                ]
            }
        )
    return weeks


@registry.action
@tk.side_effect_free
def territoire_dataset_usage_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The usage of a dataset and of each of its resources, week by week:
    page views, downloads, DataStore dumps and API reads (each counted once
    per visitor and day; private datasets are never counted).

    :param id: id or name of the dataset
    :param weeks: how many weeks, the current one last (default 12, at most
        104)
    :returns: ``{"dataset", "weeks": [{"week" (its Monday), "view",
        "download", "dump", "api"}], "total": {...}, "resources": [{"id",
        "name", "view", "download", "dump", "api"}]}``, the totals over the
        weeks shown
    """
    package = _package(data_dict.get("id"))
    tk.check_access("territoire_dataset_usage_show", context, {"id": package.id})
    weeks = weeks_of(data_dict)
    series = figures.weekly([package.id], weeks)
    since = figures.week_starts(weeks)[0]
    per_resource = figures.by_target([package.id], since, per_resource=True)
    overall = figures.by_target([package.id], since).get(package.id, figures.zero())
    resources = [
        {
            "id": resource.id,
            "name": resource.name or resource.url,
            **per_resource.get(resource.id, figures.zero()),
        }
        for resource in package.resources
    ]
    return {
        "dataset": package.name,
        "weeks": series,
        "total": overall,
        "resources": resources,
    }


def _organization(data_dict: dict[str, Any]) -> model.Group:
    org = roles.organization(str(data_dict.get("id") or ""))
    if org is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return org


@registry.action
@tk.side_effect_free
def territoire_usage_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The publisher's view of an organization's usage. For a commune: its
    public datasets; for an EPCI: its own and its members', with a row per
    member (``members``). Private datasets are never counted nor listed.

    :param id: id or name of the organization
    :param weeks: how many weeks, the current one last (default 12, at most
        104)
    :returns: ``{"organization", "epci", "since", "weeks": [{"week", "view",
        "download", "dump", "api"}], "total", "public_datasets",
        "top_datasets": [{"name", "title", "organization", "view", "download",
        "dump", "api", "total", "reuses"}], "reuses": [...],
        "pending_reuses", "unused_datasets": [{"name", "title",
        "organization", "created", "last_used"}], "unused_days"}`` and, for an
        EPCI, ``"members": [{"name", "title", "public_datasets", "view",
        "download", "dump", "api", "total", "reuses", "unused_datasets"}]``
    """
    org = _organization(data_dict)
    tk.check_access("territoire_usage_show", context, {"id": org.id})
    return publisher.view(org, weeks_of(data_dict), roles.user_name(context))


@registry.action
@tk.side_effect_free
def territoire_usage_month(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """The use of each public dataset of an organization (for an EPCI: its
    own and its members') during one month: the rows of the monthly CSV.

    :param id: id or name of the organization
    :param month: ``YYYY-MM`` (default: the last complete month)
    :returns: ``[{"month", "organization", "dataset", "title", "view",
        "download", "dump", "api", "total", "reuses"}]``
    """
    org = _organization(data_dict)
    tk.check_access("territoire_usage_month", context, {"id": org.id})
    month = publisher.checked_month(data_dict.get("month"))
    return publisher.month_rows(org, month)
