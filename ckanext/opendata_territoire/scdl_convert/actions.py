"""The conversion to the national format through the action API, for the
EPCI's own scripts (README, "Mettre au format national").

- ``territoire_scdl_convert``: a file (``upload``) or a file of the dataset
  (``resource_id``) in, converted; ``schema`` and ``mapping`` optional (by
  default the mapping remembered for the dataset if it fits the file, else
  the one proposed); the report and the converted CSV out, or, for a large
  file, the conversion queued as a background job; ``publish`` to publish
  it at once.
- ``territoire_scdl_conversion_show``: a conversion's progress and report.
- ``territoire_scdl_conversion_publish``: publish a converted file.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.opendata_territoire import registry
from ckanext.opendata_territoire.quality.actions import finding_message
from ckanext.opendata_territoire.scdl_convert import schemas, words, work
from ckanext.opendata_territoire.scdl_convert.model import Conversion

# Largest converted CSV returned inline by the actions.
CSV_INLINE_BYTES = 5_000_000


def _flag(data_dict: dict[str, Any], key: str, default: bool = False) -> bool:
    value = data_dict.get(key, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "oui")
    return bool(value)


def _mapping(value: Any) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise tk.ValidationError(
                {"mapping": [tk._("The mapping must be a JSON object.")]}
            ) from None
    if not isinstance(value, dict):
        raise tk.ValidationError(
            {"mapping": [tk._("The mapping must be a JSON object.")]}
        )
    if "columns" not in value and "values" not in value:
        # The short form: {"FIELD": "column"}.
        value = {"columns": value}
    return value


def describe(conversion: Conversion, with_csv: bool = True) -> dict[str, Any]:
    """A conversion as the actions return it."""
    out = conversion.as_dict()
    schema = schemas.get(str(conversion.schema_name))
    out["schema"] = (
        {"name": schema.name, "version": schema.version, "title": schema.title}
        if schema
        else None
    )
    columns = len((conversion.recognition or {}).get("header") or [])
    for candidate in (conversion.recognition or {}).get("candidates") or []:
        candidate["reason"] = words.recognition_reason(candidate, columns)
    out["unmapped"] = work.unmapped(conversion)
    report = conversion.report or {}
    for problem in report.get("problems") or []:
        problem["message"] = words.problem_message(problem)
    for finding in report.get("personal_data") or []:
        finding["message"] = finding_message(finding)
    if report.get("changes"):
        report["change_labels"] = {k: words.change_label(k) for k in report["changes"]}
    if (
        with_csv
        and conversion.status in ("done", "published")
        and work.converted_path(conversion).exists()
        and work.converted_path(conversion).stat().st_size <= CSV_INLINE_BYTES
    ):
        out["csv"] = work.csv_text(conversion)
    return out


def _error(error: work.ConversionError, key: str = "upload") -> tk.ValidationError:
    return tk.ValidationError({key: [words.error_message(error.reason, error.detail)]})


@registry.action
def territoire_scdl_convert(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Convert a file to the national schema it follows.

    :param id: the dataset (its name or id)
    :param upload: the file (CSV, XLSX, ODS), or
    :param resource_id: a file of the dataset
    :param schema: the schema (e.g. ``scdl/deliberations``); by default the
        remembered or recognised one
    :param mapping: ``{"columns": {FIELD: column}, "values": {FIELD: value}}``
        or ``{FIELD: column}``; by default remembered or proposed
    :param background: convert as a background job (default: when the file
        is larger than ckanext.territoire.scdl_convert_background_kb)
    :param publish: publish the converted file at once (if converted now)
    :param keep_original: publish the original file too
    :returns: the conversion: ``id``, ``status``, ``schema``,
        ``recognition`` (candidates with their ``reason``), ``mapping``,
        ``mapping_source``, ``unmapped``, ``report`` (``rows``, ``changes``,
        ``examples``, ``problems`` with their ``message``, ``validation``,
        ``personal_data``), ``csv``; ``published`` when published
    """
    tk.check_access("territoire_scdl_convert", context, data_dict)
    package = model.Package.get(str(data_dict.get("id") or ""))
    if package is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    upload = data_dict.get("upload")
    stream = getattr(upload, "stream", None)
    filename = getattr(upload, "filename", None) or ""
    resource_id = data_dict.get("resource_id")
    if stream is None and resource_id:
        resource = model.Resource.get(str(resource_id))
        if resource is None or resource.package_id != package.id:
            raise tk.ValidationError(
                {"resource_id": [tk._("This file is not one of the dataset's.")]}
            )
        filename = (resource.url or "").rsplit("/", 1)[-1] or f"{resource.id}.csv"
    user = model.User.get(context.get("user") or "")
    try:
        conversion = work.start(
            package.id,
            user.id if user else None,
            filename,
            stream=stream,
            resource_id=None if stream is not None else resource_id,
            schema_name=data_dict.get("schema") or None,
            given=_mapping(data_dict.get("mapping")),
        )
    except work.ConversionError as error:
        raise _error(
            error, "schema" if error.reason == "schema" else "upload"
        ) from None
    if _flag(data_dict, "background", work.in_background(conversion)):
        work.queue(conversion)
        return describe(conversion)
    work.run(conversion)
    result = describe(conversion)
    if _flag(data_dict, "publish"):
        result["published"] = work.publish(
            conversion, context, keep_original=_flag(data_dict, "keep_original")
        )
        result["status"] = "published"
    return result


def _conversion(context: dict[str, Any], data_dict: dict[str, Any], action: str):
    conversion = model.Session.get(Conversion, str(data_dict.get("id") or ""))
    if conversion is None:
        raise tk.ObjectNotFound(tk._("Conversion not found"))
    tk.check_access(action, context, data_dict)
    return conversion


@registry.action
@tk.side_effect_free
def territoire_scdl_conversion_show(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """A conversion: its progress (``status``, ``rows_done``,
    ``rows_total``), then its report and converted CSV.

    :param id: the conversion
    """
    conversion = _conversion(context, data_dict, "territoire_scdl_conversion_show")
    return describe(conversion, with_csv=_flag(data_dict, "csv", True))


@registry.action
def territoire_scdl_conversion_publish(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Publish a converted file as a resource of its dataset, with its
    schema; remember its mapping.

    :param id: the conversion
    :param keep_original: publish the original file too (default false)
    :param replace: replace the file the last conversion of this dataset to
        the same schema published (default true)
    """
    conversion = _conversion(context, data_dict, "territoire_scdl_conversion_publish")
    try:
        return work.publish(
            conversion,
            context,
            keep_original=_flag(data_dict, "keep_original"),
            replace=_flag(data_dict, "replace", True),
        )
    except work.ConversionError as error:
        raise _error(error, "id") from None
