"""A conversion from start to publication, shared by the pages and the
action API: the file kept in the storage, its schema and mapping chosen
(remembered, given or proposed), the conversion run in the request or as a
background job, its result validated as the quality feature validates files
(quality/validation.py) and checked by the personal-data guard
(quality/guard.py), then published as resources of the dataset."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import IO, Any

import ckan.plugins.toolkit as tk
import openpyxl
from ckan import model
from werkzeug.datastructures import FileStorage

from ckanext.opendata_territoire.quality import content, guard, publication, validation
from ckanext.opendata_territoire.scdl_convert import (
    convert,
    mapping,
    read,
    recognise,
    schemas,
)
from ckanext.opendata_territoire.scdl_convert.model import (
    Conversion,
    RememberedMapping,
    now,
    remembered,
)

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# Candidates kept with their reasons.
CANDIDATES = 4
ORGANIZATION_FIELDS = ("title", "siret", "siren", "insee_code")


class ConversionError(Exception):
    """What stops a conversion; ``reason``: ``format``, ``empty``,
    ``broken``, ``too_large``, ``no_file``, ``unreadable``, ``schema``,
    ``not_converted``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def storage_root() -> Path:
    return Path(tk.config.get("ckan.storage_path") or "/tmp") / "territoire-scdl"


def folder(conversion: Conversion) -> Path:
    return storage_root() / str(conversion.id)


def original_path(conversion: Conversion) -> Path:
    return folder(conversion) / f"original.{conversion.format}"


def converted_path(conversion: Conversion) -> Path:
    return folder(conversion) / "converted.csv"


def max_bytes() -> int:
    return tk.config.get("ckanext.territoire.scdl_convert_max_mb") * 1_000_000


def background_bytes() -> int:
    return tk.config.get("ckanext.territoire.scdl_convert_background_kb") * 1000


def organization_facts(package_id: str) -> dict[str, Any]:
    """The organization's title, SIRET, SIREN and INSEE code."""
    package = model.Package.get(package_id)
    group = (
        model.Group.get(package.owner_org) if package and package.owner_org else None
    )
    if group is None:
        return {}
    facts: dict[str, Any] = {"title": group.title}
    for key in ORGANIZATION_FIELDS[1:]:
        value = group.extras.get(key)
        if value:
            facts[key] = value
    return facts


def _copy(stream: IO[bytes], destination: Path) -> None:
    written = 0
    with destination.open("wb") as out:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > max_bytes():
                raise ConversionError("too_large", str(max_bytes() // 1_000_000))
            out.write(chunk)


def header_and_sample(conversion: Conversion) -> read.Table:
    try:
        return read.sample(str(original_path(conversion)), conversion.format)
    except read.Unreadable as error:
        raise ConversionError(error.reason, error.detail) from error


def start(
    package_id: str,
    user_id: str | None,
    filename: str,
    stream: IO[bytes] | None = None,
    resource_id: str | None = None,
    schema_name: str | None = None,
    given: dict[str, Any] | None = None,
) -> Conversion:
    """Keep the file (``stream``, or the file of the resource
    ``resource_id``), recognise its schema and choose its mapping."""
    try:
        form = read.file_format(filename)
    except read.Unreadable as error:
        raise ConversionError("format", filename) from error
    conversion = Conversion(
        package_id=package_id,
        user_id=user_id,
        filename=os.path.basename(filename) or f"fichier.{form}",
        format=form,
        status="ready",
    )
    model.Session.add(conversion)
    model.Session.flush()
    target = folder(conversion)
    target.mkdir(parents=True, exist_ok=True)
    try:
        if stream is not None:
            _copy(stream, original_path(conversion))
        elif resource_id:
            resource = model.Resource.get(resource_id)
            if resource is None or resource.package_id != package_id:
                raise ConversionError("no_file", resource_id)
            try:
                truncated = content.download(
                    resource, str(original_path(conversion)), max_bytes()
                )
            except content.Unreadable as error:
                raise ConversionError("unreadable", error.reason) from error
            if truncated:
                raise ConversionError("too_large", str(max_bytes() // 1_000_000))
        else:
            raise ConversionError("no_file")
        table = header_and_sample(conversion)
    except ConversionError:
        shutil.rmtree(target, ignore_errors=True)
        model.Session.rollback()
        raise
    ranked = recognise.recognise(table.header, table.sample, schemas.descriptors())
    conversion.recognition = {
        "header": table.header,
        "candidates": [c.as_dict() for c in ranked[:CANDIDATES]],
    }
    choose(conversion, table, schema_name, given)
    model.Session.commit()
    return conversion


def choose(
    conversion: Conversion,
    table: read.Table,
    schema_name: str | None = None,
    given: dict[str, Any] | None = None,
) -> None:
    """The schema (given, else the one whose remembered mapping fits the
    file, else the most likely) and the mapping (given, else remembered if
    it fits, else proposed)."""
    if schema_name and schemas.get(schema_name) is None:
        raise ConversionError("schema", schema_name)
    fitting = None
    for kept in _remembered_for(str(conversion.package_id)):
        if (schema_name in (None, kept.schema_name)) and mapping.applies(
            convert.Mapping.from_dict(kept.mapping), table.header
        ):
            fitting = kept
            break
    if not schema_name:
        candidates = (conversion.recognition or {}).get("candidates") or []
        schema_name = fitting.schema_name if fitting else candidates[0]["name"]
    conversion.schema_name = schema_name
    schema = schemas.get(str(schema_name))
    assert schema is not None
    facts = organization_facts(str(conversion.package_id))
    if given is not None:
        chosen = convert.Mapping.from_dict(given)
        chosen.organization = set(
            mapping.organization_values(schema.descriptor, facts)
        ) & set(chosen.values)
        conversion.mapping, conversion.mapping_source = chosen.as_dict(), "given"
    elif fitting is not None and fitting.schema_name == schema_name:
        kept_mapping = convert.Mapping.from_dict(fitting.mapping)
        # The organization's values as they are today.
        for name, value in mapping.organization_values(
            schema.descriptor, facts
        ).items():
            if name in kept_mapping.organization:
                kept_mapping.values[name] = value
        conversion.mapping = kept_mapping.as_dict()
        conversion.mapping_source = "remembered"
    else:
        proposal = mapping.propose(
            table.header, table.sample, schema.descriptor, schema.name, facts
        )
        conversion.mapping = {**proposal.mapping.as_dict(), "reasons": proposal.reasons}
        conversion.mapping_source = "proposed"
    conversion.status = "ready"
    conversion.report = None
    conversion.updated = now()


def _remembered_for(package_id: str) -> list[RememberedMapping]:
    return (
        model.Session.query(RememberedMapping)
        .filter(RememberedMapping.package_id == package_id)
        .order_by(RememberedMapping.updated.desc())
        .all()
    )


def unmapped(conversion: Conversion) -> list[dict[str, Any]]:
    """The fields of the schema that no column nor value fills, with what
    the schema says of them."""
    schema = schemas.get(str(conversion.schema_name))
    if schema is None:
        return []
    chosen = convert.Mapping.from_dict(conversion.mapping)
    return [
        mapping.field_facts(spec)
        for spec in schema.descriptor.get("fields", [])
        if spec["name"] not in chosen.columns and spec["name"] not in chosen.values
    ]


def in_background(conversion: Conversion) -> bool:
    return original_path(conversion).stat().st_size > background_bytes()


def queue(conversion: Conversion) -> None:
    conversion.status = "queued"
    conversion.rows_done = 0
    conversion.updated = now()
    model.Session.commit()
    tk.enqueue_job(
        convert_job,
        [str(conversion.id)],
        title=f"territoire: convert {conversion.filename} to {conversion.schema_name}",
    )


def convert_job(conversion_id: str) -> str | None:
    """The background job: convert, validate, check; returns the status."""
    conversion = model.Session.get(Conversion, conversion_id)
    if conversion is None:
        return None
    try:
        run(conversion)
    except Exception:
        log.exception("Conversion %s failed", conversion_id)
        model.Session.rollback()
        conversion = model.Session.get(Conversion, conversion_id)
        conversion.status = "error"
        conversion.report = {"error": "internal"}
        model.Session.commit()
    return str(conversion.status)


def _rows_total(conversion: Conversion) -> int | None:
    """The number of rows, when it costs nothing to know (an XLSX file that
    records its dimension); None otherwise."""
    if conversion.format != "xlsx":
        return None
    book = openpyxl.load_workbook(original_path(conversion), read_only=True)
    try:
        sheet = book.worksheets[0]
        # From the sheet's recorded dimension, which some writers leave out.
        return (sheet.max_row - 1) if sheet.max_row and sheet.max_row > 1 else None
    finally:
        book.close()


def run(conversion: Conversion) -> None:
    """Convert the file with the chosen mapping, then validate the result
    against the schema and look for personal data in it."""
    schema = schemas.get(str(conversion.schema_name))
    if schema is None:
        raise ConversionError("schema", str(conversion.schema_name))
    conversion.status = "running"
    conversion.rows_done = 0
    conversion.rows_total = _rows_total(conversion)
    model.Session.commit()
    conversion_id = str(conversion.id)

    def progress(rows: int) -> None:
        model.Session.query(Conversion).filter(Conversion.id == conversion_id).update(
            {"rows_done": rows, "updated": now()}, synchronize_session=False
        )
        model.Session.commit()

    found = read.rows(str(original_path(conversion)), str(conversion.format))
    try:
        header = read.header_of(next(found))
    except (StopIteration, read.Unreadable) as error:
        raise ConversionError("empty") from error
    target = converted_path(conversion)
    with target.open("w", encoding="utf-8", newline="") as out:
        report = convert.convert(
            header,
            found,
            schema.descriptor,
            convert.Mapping.from_dict(conversion.mapping),
            out,
            progress,
        )
    outcome = report.as_dict()
    outcome["validation"] = validation.validate_table(
        str(target), schema.descriptor, "utf-8", ","
    )
    outcome["personal_data"] = _guard(target)
    outcome["schema_version"] = schema.version
    conversion = model.Session.get(Conversion, conversion_id)
    conversion.report = outcome
    conversion.rows_done = report.rows
    conversion.rows_total = report.rows
    conversion.status = "done"
    conversion.updated = now()
    model.Session.commit()


def _guard(path: Path) -> list[dict[str, Any]]:
    """What the personal-data guard finds in the converted file's first rows
    (as many as it reads at publication)."""
    table = content.parse(
        path.read_bytes()[: publication.SAMPLE_BYTES], publication.sample_rows()
    )
    return guard.inspect(table.header, table.rows)


def csv_text(conversion: Conversion) -> str:
    return converted_path(conversion).read_text(encoding="utf-8")


def _upload(path: Path, filename: str, content_type: str) -> FileStorage:
    return FileStorage(
        stream=path.open("rb"), filename=filename, content_type=content_type
    )


def _original_findings(conversion: Conversion) -> list[dict[str, Any]]:
    """The guard on the original file (which the guard at publication does
    not read when it is a spreadsheet)."""
    found = read.rows(str(original_path(conversion)), str(conversion.format))
    header = read.header_of(next(found))
    sample: list[list[str]] = []
    for row in found:
        sample.append(row[: len(header)])
        if len(sample) >= publication.sample_rows():
            break
    return guard.inspect(header, sample)


def publish(
    conversion: Conversion,
    context: dict[str, Any],
    keep_original: bool = False,
    replace: bool = True,
) -> dict[str, Any]:
    """The converted file becomes a resource of the dataset (replacing the
    one the last conversion published, if ``replace``), with its schema; the
    original file a second resource if ``keep_original`` and the guard finds
    nothing in it; the mapping is remembered."""
    if conversion.status != "done":
        raise ConversionError("not_converted", str(conversion.status))
    schema = schemas.get(str(conversion.schema_name))
    assert schema is not None
    package_id = str(conversion.package_id)
    kept = remembered(package_id, schema.name)
    stem = os.path.splitext(str(conversion.filename))[0]
    filename = f"{stem}-{schema.name.split('/')[-1]}-scdl.csv"
    fields = {
        "name": tk._("{title} (national format)").format(title=schema.title),
        "description": tk._(
            "Converted to the national schema {schema} {version} from the file "
            "{filename}."
        ).format(
            schema=schema.name, version=schema.version, filename=conversion.filename
        ),
        "format": "CSV",
        "schema_name": schema.name,
        "schema_version": schema.version,
        "url": filename,
        "upload": _upload(converted_path(conversion), filename, "text/csv"),
    }
    action_context = {"user": context.get("user"), "ignore_auth": False}
    previous = (
        model.Resource.get(kept.resource_id) if kept and kept.resource_id else None
    )
    if (
        replace
        and previous is not None
        and previous.state == "active"
        and previous.package_id == package_id
    ):
        resource = tk.get_action("resource_patch")(
            dict(action_context), {"id": previous.id, **fields}
        )
    else:
        resource = tk.get_action("resource_create")(
            dict(action_context), {"package_id": package_id, **fields}
        )
    original = None
    original_findings: list[dict[str, Any]] = []
    if keep_original:
        original_findings = _original_findings(conversion)
        if not original_findings:
            original = tk.get_action("resource_create")(
                dict(action_context),
                {
                    "package_id": package_id,
                    "name": tk._("{filename} (original file)").format(
                        filename=conversion.filename
                    ),
                    "format": str(conversion.format).upper(),
                    "url": conversion.filename,
                    "upload": _upload(
                        original_path(conversion),
                        str(conversion.filename),
                        "application/octet-stream",
                    ),
                },
            )
    conversion = model.Session.get(Conversion, conversion.id)
    remember(conversion, resource["id"])
    conversion.status = "published"
    conversion.updated = now()
    model.Session.commit()
    package = model.Package.get(package_id)
    return {
        "resource": resource,
        "original": original,
        "original_withheld": bool(original_findings),
        "original_findings": original_findings,
        "blocked_by_guard": bool(publication.blocking([resource["id"]])),
        "dataset_private": bool(package.private),
    }


def remember(conversion: Conversion, resource_id: str) -> None:
    chosen = convert.Mapping.from_dict(conversion.mapping)
    kept = remembered(str(conversion.package_id), str(conversion.schema_name))
    if kept is None:
        kept = RememberedMapping(
            package_id=conversion.package_id, schema_name=conversion.schema_name
        )
        model.Session.add(kept)
    kept.mapping = chosen.as_dict()
    kept.resource_id = resource_id
    kept.user_id = conversion.user_id
    kept.updated = now()
