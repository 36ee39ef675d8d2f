"""Validation of a CSV file against a Table Schema (the SCDL and the other
Table Schemas of schema.data.gouv.fr), with frictionless.

Columns are matched by name, as schema.data.gouv.fr's Validata does: their
order does not matter, a missing required column is an error, a column the
schema does not know is only reported. The report keeps, for each error,
what the publisher needs to correct it (row, column, value, the rule and an
example from the schema); describe() puts it in words, in the reader's
language, when it is shown.
"""

from __future__ import annotations

import os
import re
from typing import Any

import ckan.plugins.toolkit as tk
from frictionless import Detector, Dialect, FrictionlessException, Resource, Schema
from frictionless.formats import CsvControl

# Errors kept in a report (frictionless stops there).
MAX_ERRORS = 100
# Longest value kept in a report.
MAX_VALUE = 200

CONSTRAINT_NOTE = re.compile(r'constraint "(?P<name>\w+)" is "(?P<limit>.*)"', re.S)
TYPE_NOTE = re.compile(r'type is "(?P<type>\w+)/(?P<format>[\w-]+)"')


class SchemaError(Exception):
    """The schema is not a Table Schema frictionless can read."""


def _field_facts(field: dict[str, Any]) -> dict[str, Any]:
    example = field.get("example", field.get("examples"))
    if isinstance(example, list):
        example = example[0] if example else None
    constraints = field.get("constraints") or {}
    return {
        "type": field.get("type", "string"),
        "format": field.get("format", "default"),
        "example": str(example) if example not in (None, "") else None,
        "allowed": constraints.get("enum"),
    }


def _error(error: dict[str, Any], fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": error["type"],
        "row": error.get("rowNumber"),
        "field": error.get("fieldName") or None,
        "label": error.get("label") or None,
        "position": error.get("fieldNumber"),
        "value": None,
    }
    cell = error.get("cell")
    if cell is not None:
        entry["value"] = str(cell)[:MAX_VALUE]
    facts = fields.get(entry["field"] or "", {})
    entry.update(facts)
    note = error.get("note") or ""
    constraint = CONSTRAINT_NOTE.search(note)
    if entry["code"] == "constraint-error" and constraint:
        entry["constraint"] = constraint.group("name")
        entry["limit"] = constraint.group("limit")
    typed = TYPE_NOTE.search(note)
    if typed:
        entry["type"], entry["format"] = typed.group("type"), typed.group("format")
    return entry


def validate_table(
    path: str, descriptor: dict[str, Any], encoding: str, delimiter: str
) -> dict[str, Any]:
    """Validate the CSV file at ``path`` (header on its first line) against
    the Table Schema ``descriptor``.

    :returns: ``{"valid", "rows", "columns", "error_count", "errors_truncated",
        "errors": [{"code", "row", "field", "label", "position", "value",
        "type", "format", "example", "allowed", "constraint", "limit"}],
        "extra_columns", "missing_columns", "encoding", "delimiter"}``
    """
    try:
        schema = Schema.from_descriptor(descriptor)
    except FrictionlessException as error:
        raise SchemaError(str(error)) from error
    # frictionless reads only relative paths under a base path ("safe" ones).
    resource = Resource(
        path=os.path.basename(path),
        basepath=os.path.dirname(path),
        schema=schema,
        format="csv",
        encoding=encoding,
        dialect=Dialect(header_rows=[1], controls=[CsvControl(delimiter=delimiter)]),
        detector=Detector(schema_sync=True),
    )
    report = resource.validate(limit_errors=MAX_ERRORS)
    task = report.tasks[0] if report.tasks else None
    fields = {f["name"]: _field_facts(f) for f in descriptor.get("fields", [])}
    errors = [
        _error(e.to_descriptor(), fields)
        for e in (task.errors if task else report.errors)
    ]
    labels = list(task.labels) if task else []
    optional = [
        name
        for name, field in ((f["name"], f) for f in descriptor.get("fields", []))
        if not (field.get("constraints") or {}).get("required")
    ]
    return {
        "valid": report.valid,
        "rows": (task.stats.get("rows") if task else None) or 0,
        "columns": len(labels),
        "error_count": len(errors),
        "errors_truncated": len(errors) >= MAX_ERRORS,
        "errors": errors,
        "extra_columns": [label for label in labels if label not in fields],
        "missing_columns": [name for name in optional if name not in labels],
        "encoding": encoding,
        "delimiter": delimiter,
    }


def _type_words(entry: dict[str, Any]) -> tuple[str, str]:
    """What a value of the field's type is, and how to write one."""
    kind, form = entry.get("type"), entry.get("format")
    if kind == "date":
        return tk._("a date"), tk._("Write dates as YYYY-MM-DD, e.g. 2024-01-15.")
    if kind == "datetime":
        return tk._("a date and time"), tk._(
            "Write dates and times as YYYY-MM-DDThh:mm:ss, e.g. 2024-01-15T18:30:00."
        )
    if kind == "integer":
        return tk._("a whole number"), tk._(
            "Write a whole number, without spaces or units."
        )
    if kind == "number":
        return tk._("a number"), tk._(
            "Write a number with a dot as decimal separator, without spaces or "
            "units, e.g. 1250.50."
        )
    if kind == "boolean":
        return tk._("a yes/no value"), tk._(
            "Write one of the values the schema gives for yes and no (often true "
            "and false, or oui and non)."
        )
    if kind == "year":
        return tk._("a year"), tk._("Write a year with four digits, e.g. 2024.")
    if form == "uri":
        return tk._("a web address"), tk._(
            "Write a full web address, starting with https://."
        )
    if form == "email":
        return tk._("an e-mail address"), tk._("Write one e-mail address.")
    return tk._("a value of type {type}").format(type=kind), tk._(
        "Write a value of type {type}."
    ).format(type=kind)


def _constraint_words(entry: dict[str, Any]) -> tuple[str, str]:
    """The problem and the fix of a constraint error."""
    row, field, value = entry.get("row"), entry.get("field"), entry.get("value")
    constraint, limit = entry.get("constraint"), entry.get("limit")
    where = tk._('Row {row}, column "{field}"').format(row=row, field=field)
    if constraint == "required":
        return (
            tk._('Row {row}: the column "{field}" is required and empty.').format(
                row=row, field=field
            ),
            tk._("Fill it in on every row."),
        )
    if constraint == "enum":
        allowed = entry.get("allowed") or []
        return (
            tk._('{where}: "{value}" is not one of the allowed values.').format(
                where=where, value=value
            ),
            tk._("Allowed values: {values}.").format(
                values=", ".join(tk._('"{value}"').format(value=v) for v in allowed)
                or limit
            ),
        )
    if constraint == "pattern":
        example = entry.get("example")
        return (
            tk._('{where}: "{value}" does not have the expected form.').format(
                where=where, value=value
            ),
            tk._("Expected form: like {example}.").format(example=example)
            if example
            else tk._("Expected form: {pattern}.").format(pattern=limit),
        )
    if constraint in ("minLength", "maxLength"):
        return (
            tk._('{where}: "{value}" is too short or too long.').format(
                where=where, value=value
            ),
            tk._("At least {limit} characters.").format(limit=limit)
            if constraint == "minLength"
            else tk._("At most {limit} characters.").format(limit=limit),
        )
    if constraint in ("minimum", "maximum"):
        return (
            tk._("{where}: {value} is out of range.").format(where=where, value=value),
            tk._("The smallest value allowed is {limit}.").format(limit=limit)
            if constraint == "minimum"
            else tk._("The largest value allowed is {limit}.").format(limit=limit),
        )
    if constraint == "unique":
        return (
            tk._('{where}: "{value}" is already on another row.').format(
                where=where, value=value
            ),
            tk._("Each value of this column must be unique."),
        )
    return (
        tk._('{where}: "{value}" does not follow the rule "{rule}".').format(
            where=where, value=value, rule=constraint
        ),
        tk._("Correct the value as the schema says."),
    )


def describe(entry: dict[str, Any]) -> tuple[str, str]:
    """An error of a report in words: the problem and how to fix it."""
    code, row = entry.get("code"), entry.get("row")
    field, value = entry.get("field"), entry.get("value")
    if code == "missing-label":
        return (
            tk._('The column "{field}" is missing.').format(field=field),
            tk._(
                'Add a column named exactly "{field}": the schema requires it.'
            ).format(field=field),
        )
    if code == "unmatched-header":
        return (
            tk._("None of the columns of the schema is in the file."),
            tk._(
                "Check that the file follows this schema and that its first "
                "line holds the names of the columns."
            ),
        )
    if code == "blank-label":
        return (
            tk._("Column {position} has no name.").format(
                position=entry.get("position")
            ),
            tk._("Name it after a column of the schema, or remove it."),
        )
    if code == "duplicate-label":
        return (
            tk._('The column "{label}" appears twice.').format(
                label=entry.get("label")
            ),
            tk._("Keep only one of them."),
        )
    if code == "blank-row":
        return (
            tk._("Row {row} is empty.").format(row=row),
            tk._("Remove the empty row."),
        )
    if code in ("extra-cell", "missing-cell"):
        return (
            tk._("Row {row} does not have as many values as there are columns.").format(
                row=row
            ),
            tk._(
                "Check the separators of this row: a value holding the "
                "separator must be between double quotes."
            ),
        )
    if code == "type-error":
        what, how = _type_words(entry)
        return (
            tk._('Row {row}, column "{field}": "{value}" is not {what}.').format(
                row=row, field=field, value=value, what=what
            ),
            how,
        )
    if code == "constraint-error":
        return _constraint_words(entry)
    if code in ("unique-error", "primary-key"):
        return (
            tk._(
                'Row {row}, column "{field}": "{value}" is already on another row.'
            ).format(row=row, field=field, value=value),
            tk._("Each value of this column must be unique."),
        )
    return (
        tk._("The file breaks the rule {code} of Table Schema.").format(code=code)
        if row is None
        else tk._("Row {row}: the file breaks the rule {code} of Table Schema.").format(
            row=row, code=code
        ),
        tk._("Correct the file as the schema says."),
    )
