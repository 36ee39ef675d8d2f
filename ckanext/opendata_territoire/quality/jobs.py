"""The validation job (CKAN's background jobs, on Redis): for one resource,
download the file, note whether it could be, check a linked CSV for personal
data, and validate a CSV against its national schema.

A saved dataset schedules a job for each resource whose content (upload,
link) or schema changed since its last validation; the jobs are queued once
the dataset's transaction is committed, so that the worker reads what was
saved.
"""

from __future__ import annotations

import logging
import os
import tempfile
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.opendata_territoire import search_index
from ckanext.opendata_territoire.quality import (
    catalog,
    content,
    preview,
    publication,
    validation,
)
from ckanext.opendata_territoire.quality.model import ResourceValidation, now

log = logging.getLogger(__name__)

# Session.info key of the resources to validate once the transaction commits.
SCHEDULED = "territoire_validation_scheduled"
# Read to check that a file that is not validated can be downloaded.
PROBE_BYTES = 1024


def max_bytes() -> int:
    return tk.config.get("ckanext.territoire.validation_max_mb") * 1_000_000


def declared_schema(
    resource: model.Resource, package: model.Package
) -> tuple[str | None, str | None]:
    """The schema name and version a file follows: its own, else its
    dataset's."""
    name = resource.extras.get("schema_name")
    if name:
        return str(name), resource.extras.get("schema_version") or None
    name = package.extras.get("schema_name")
    if name:
        return str(name), package.extras.get("schema_version") or None
    return None, None


def validation_key(resource: model.Resource, package: model.Package) -> str:
    name, version = declared_schema(resource, package)
    return "|".join((content.content_key(resource), name or "", version or ""))


def _mark_pending(resource: model.Resource, package: model.Package) -> None:
    fields = {
        "package_id": package.id,
        "content_key": validation_key(resource, package),
        "status": "pending",
        "reason": None,
        "report": None,
        "queued": now(),
        "checked": None,
    }
    row = model.Session.get(ResourceValidation, resource.id)
    if row is None:
        model.Session.add(ResourceValidation(resource_id=resource.id, **fields))
    else:
        _update(resource.id, fields)


def _pending(resource: model.Resource, package: model.Package) -> None:
    """Mark the resource's validation as pending and schedule its job."""
    _mark_pending(resource, package)
    model.Session.info.setdefault(SCHEDULED, set()).add(resource.id)


def _update(resource_id: str, fields: dict[str, Any]) -> None:
    model.Session.query(ResourceValidation).filter(
        ResourceValidation.resource_id == resource_id
    ).update(fields, synchronize_session="fetch")


def schedule_dataset(package_id: str) -> None:
    """After a dataset is saved: validate again each resource whose content
    or schema changed (or was never validated)."""
    package = model.Package.get(package_id)
    if package is None:
        return
    resources = [r for r in package.resources if r.state == "active"]
    keys = dict(
        model.Session.query(
            ResourceValidation.resource_id, ResourceValidation.content_key
        ).filter(ResourceValidation.resource_id.in_([r.id for r in resources]))
    )
    for resource in resources:
        if keys.get(resource.id) != validation_key(resource, package):
            _pending(resource, package)


def schedule_resource(resource_id: str) -> None:
    """Validate a resource again, whether it changed or not (committed by the
    caller)."""
    resource = model.Resource.get(resource_id)
    if resource is not None:
        _pending(resource, model.Package.get(resource.package_id))


@sa.event.listens_for(model.Session, "after_commit")
def _enqueue_scheduled(session: Any) -> None:
    for resource_id in sorted(session.info.pop(SCHEDULED, ())):
        try:
            tk.enqueue_job(
                validate_resource,
                [resource_id],
                title=f"territoire: validate resource {resource_id}",
            )
        except Exception:
            # The dataset is saved: a queue out of reach must not turn the
            # save into an error. The validation stays pending; an editor
            # can ask for it again (territoire_resource_validate).
            log.exception("Could not queue the validation of %s", resource_id)


@sa.event.listens_for(model.Session, "after_rollback")
def _forget_scheduled(session: Any) -> None:
    session.info.pop(SCHEDULED, None)


def validate_resource(resource_id: str) -> str | None:
    """The job: validate the resource as it is now, store the result,
    re-index its dataset (for its quality score). Returns the status."""
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        return None
    package = model.Package.get(resource.package_id)
    key = validation_key(resource, package)
    try:
        outcome = _validate(resource, package)
    except Exception:
        log.exception("Validation of resource %s failed", resource_id)
        model.Session.rollback()
        outcome = {"status": "error", "reason": "internal"}
    if model.Session.get(ResourceValidation, resource_id) is None:
        _mark_pending(resource, package)
        model.Session.flush()
    _update(resource_id, {**outcome, "content_key": key, "checked": now()})
    model.Session.commit()
    search_index.reindex(package.id)
    return outcome["status"]


def _validate(resource: model.Resource, package: model.Package) -> dict[str, Any]:
    if resource.url_type != "upload":
        try:
            preview.forget(resource)
        except Exception:
            log.exception("Removing the preview of resource %s failed", resource.id)
            model.Session.rollback()
    name, version = declared_schema(resource, package)
    if resource.url_type == "datastore":
        # A table the portal holds (the DECP contracts): made by the import,
        # which cleaned its records; its "file" is the DataStore's dump, on
        # the portal itself, and nothing to check.
        return {
            "status": "none",
            "reason": "datastore",
            "reachable": True,
            "report": None,
            "schema_name": name,
            "schema_version": version,
            "schema_title": None,
            "schema_url": None,
        }
    table = content.is_table(resource)
    outcome: dict[str, Any] = {
        "status": "none",
        "reason": None if name and table else ("format" if name else "no_schema"),
        "reachable": None,
        "report": None,
        "schema_name": name,
        "schema_version": version,
        "schema_title": None,
        "schema_url": None,
    }
    with tempfile.TemporaryDirectory(prefix="territoire-validation-") as folder:
        path = os.path.join(folder, "resource.csv")
        try:
            truncated = content.download(
                resource, path, max_bytes() if table else PROBE_BYTES
            )
        except content.Unreadable as error:
            outcome["reachable"] = False
            if name and table:
                outcome.update(status="error", reason=error.reason)
            return outcome
        outcome["reachable"] = True
        if not table:
            return outcome
        with open(path, "rb") as downloaded:
            head = downloaded.read(publication.SAMPLE_BYTES + 1)
        if resource.url_type != "upload":
            publication.check_link(resource, head)
        if name:
            outcome.update(_against_schema(path, head, name, version, truncated))
        _preview(resource, path, head, truncated)
    return outcome


def _preview(resource: model.Resource, path: str, head: bytes, truncated: bool) -> None:
    """The file's table preview (quality/preview.py): an uploaded CSV file,
    whole, loaded into the DataStore; a preview is never worth failing the
    validation for."""
    try:
        if resource.url_type == "upload" and not truncated:
            preview.load(resource, path, head, content.content_key(resource))
    except Exception:
        log.exception("Preview of resource %s failed", resource.id)
        model.Session.rollback()


def _against_schema(
    path: str, head: bytes, name: str, version: str | None, truncated: bool
) -> dict[str, Any]:
    try:
        ref = catalog.resolve(name, version)
    except catalog.CatalogError as error:
        return {"status": "error", "reason": error.reason}
    found = {
        "schema_version": ref.version,
        "schema_title": ref.title,
        "schema_url": ref.url,
    }
    if not ref.is_table_schema:
        return {**found, "status": "unsupported", "reason": ref.type}
    try:
        descriptor = catalog.descriptor(ref)
        text, encoding = content.decode(head)
        separator = content.delimiter(text.splitlines()[0] if text else "")
        report = validation.validate_table(path, descriptor, encoding, separator)
    except catalog.CatalogError as error:
        return {**found, "status": "error", "reason": error.reason}
    except content.Unreadable as error:
        return {**found, "status": "error", "reason": error.reason}
    except validation.SchemaError:
        return {**found, "status": "error", "reason": "bad_schema"}
    report["truncated"] = truncated
    # Validated against the copy of the catalogue shipped with the portal
    # (its date), schema.data.gouv.fr being out of reach.
    report["schema_snapshot"] = ref.snapshot
    return {
        **found,
        "status": "valid" if report["valid"] else "invalid",
        "reason": None,
        "report": report,
    }
