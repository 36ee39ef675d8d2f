"""The personal-data guard at publication.

Whenever a dataset is saved, each of its uploaded files whose content is
new is checked by guard.py: the header and the first rows of a CSV file, read
here, never sent anywhere. A public dataset one of whose files has findings
that no editor confirmed is made private in the same transaction, so the file
is never public; a private dataset in that state cannot be made public
(validators.py, and the organization's bulk publication). An editor lifts the
block by confirming, with a reason, that the findings may be published.

A linked file is already public where it lives, and reading it would make
every save wait for another server: the background job checks it (jobs.py)
and makes its dataset private in the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire.quality import content, guard
from ckanext.opendata_territoire.quality.model import (
    PersonalDataCheck,
    PersonalDataConfirmation,
    confirmation_of,
    latest_checks,
    now,
)

# The head of a file read, whatever the number of rows asked.
SAMPLE_BYTES = 2_000_000
# Where resource_create's context carries the head of a file being uploaded:
# CKAN stores the file only after package_update, whose hook checks it.
PENDING_UPLOAD = "territoire_pending_upload"


def sample_rows() -> int:
    return tk.config.get("ckanext.territoire.guard_sample_rows")


def keep_upload_head(context: dict[str, Any], data_dict: dict[str, Any]) -> None:
    """Before resource_create stores an upload: keep the head of the file in
    the context, for the check of the dataset being saved."""
    upload = data_dict.get("upload")
    stream = getattr(upload, "stream", None)
    if stream is None or not hasattr(stream, "seek"):
        return
    position = stream.tell()
    context[PENDING_UPLOAD] = stream.read(SAMPLE_BYTES + 1)
    stream.seek(position)


def _table(resource: model.Resource, raw: bytes | None) -> content.Table:
    """The head of a file as a table: read from the storage, else from
    ``raw`` (an upload not stored yet, a link the job downloaded)."""
    if resource.url_type == "upload":
        try:
            return content.sample(resource, sample_rows(), SAMPLE_BYTES)
        except content.Unreadable as error:
            if error.reason != "not_stored" or raw is None:
                raise
    if raw is None:
        raise content.Unreadable("unreachable")
    return content.parse(
        raw[:SAMPLE_BYTES], sample_rows(), truncated=len(raw) > SAMPLE_BYTES
    )


def inspect_resource(
    resource: model.Resource, user_id: str | None, raw: bytes | None = None
) -> PersonalDataCheck:
    """Check the current content of ``resource`` (not stored yet); ``raw``:
    the head of the file when the storage does not have it."""
    status, findings, rows_read = "unchecked", [], 0
    reason: str | None = "format"
    if content.is_table(resource):
        try:
            table = _table(resource, raw)
        except content.Unreadable as error:
            reason = error.reason
        else:
            findings = guard.inspect(table.header, table.rows)
            status = "findings" if findings else "clear"
            reason, rows_read = None, len(table.rows)
    return PersonalDataCheck(
        resource_id=resource.id,
        package_id=resource.package_id,
        content_key=content.content_key(resource),
        status=status,
        reason=reason,
        findings=findings,
        rows_read=rows_read,
        suspended=False,
        user_id=user_id,
        created=now(),
    )


def blocks(check: PersonalDataCheck | None) -> bool:
    """Whether a check stops its file from being published."""
    return (
        check is not None
        and str(check.status) == "findings"
        and confirmation_of(str(check.id)) is None
    )


def blocking(resource_ids: Iterable[str]) -> dict[str, PersonalDataCheck]:
    """The current checks that stop these resources from being published."""
    latest = latest_checks(list(resource_ids))
    return {rid: check for rid, check in latest.items() if blocks(check)}


def _suspend_if_blocked(
    package: model.Package, latest: dict[str, PersonalDataCheck]
) -> None:
    """Make a public dataset private when one of its files is blocked, and
    mark the checks that did it."""
    model.Session.flush()
    blocked = [str(check.id) for check in latest.values() if blocks(check)]
    if blocked and not package.private:
        package.private = True
        model.Session.query(PersonalDataCheck).filter(
            PersonalDataCheck.id.in_(blocked)
        ).update({"suspended": True}, synchronize_session="fetch")
        model.Session.flush()


def check_dataset(context: dict[str, Any], package_id: str) -> list[PersonalDataCheck]:
    """Check the uploaded files of a dataset just saved whose content has no
    check yet; make the dataset private if it is public and one of its files
    is blocked. Returns the new checks (flushed, committed with the
    dataset)."""
    package = model.Package.get(package_id)
    if package is None:
        return []
    user_name = context.get("user")
    user = model.User.get(user_name) if user_name else None
    pending = context.pop(PENDING_UPLOAD, None)
    resources = [r for r in package.resources if r.state == "active"]
    latest = latest_checks([r.id for r in resources])
    new = []
    for resource in resources:
        if resource.url_type != "upload":
            continue
        current = latest.get(resource.id)
        if current is not None and current.content_key == content.content_key(resource):
            continue
        check = inspect_resource(resource, user.id if user else None, pending)
        model.Session.add(check)
        latest[resource.id] = check
        new.append(check)
    _suspend_if_blocked(package, latest)
    return new


def check_link(resource: model.Resource, head: bytes) -> PersonalDataCheck | None:
    """Check a linked file the job downloaded (``head``: its first bytes),
    unless this link was checked already; make its dataset private if it is
    blocked."""
    package = model.Package.get(resource.package_id)
    latest = latest_checks([r.id for r in package.resources if r.state == "active"])
    current = latest.get(resource.id)
    if current is not None and current.content_key == content.content_key(resource):
        return None
    check = inspect_resource(resource, None, head)
    model.Session.add(check)
    latest[resource.id] = check
    _suspend_if_blocked(package, latest)
    return check


def confirm(check: PersonalDataCheck, user_id: str | None, reason: str) -> dict:
    """Record an editor's confirmation of a check's findings."""
    confirmation = PersonalDataConfirmation(
        check_id=check.id, user_id=user_id, reason=reason, created=now()
    )
    model.Session.add(confirmation)
    model.Session.commit()
    return confirmation.as_dict()


def resource_labels(resource_ids: Iterable[str]) -> list[str]:
    labels = []
    for resource_id in resource_ids:
        resource = model.Resource.get(resource_id)
        if resource is not None:
            labels.append(resource.name or resource.url.rsplit("/", 1)[-1])
    return sorted(labels)
